// information_schema's views (SQL standard metadata) that drivers and BI tools read. PostgreSQL
// types their columns with domains over name, varchar and int4; Sluice uses those base types.

import { systemRelation as relation, type SystemRelation } from './system-relation.js';

const s = 'information_schema';

export const informationSchemaRelations: readonly SystemRelation[] = [
  relation(s, 'schemata', 13_001, 'v', `catalog_name name, schema_name name, schema_owner name,
    default_character_set_catalog name, default_character_set_schema name, default_character_set_name name,
    sql_path varchar`),
  relation(s, 'tables', 13_002, 'v', `table_catalog name, table_schema name, table_name name, table_type varchar,
    self_referencing_column_name name, reference_generation varchar, user_defined_type_catalog name,
    user_defined_type_schema name, user_defined_type_name name, is_insertable_into varchar, is_typed varchar,
    commit_action varchar`),
  relation(s, 'columns', 13_003, 'v', `table_catalog name, table_schema name, table_name name, column_name name,
    ordinal_position int4, column_default varchar, is_nullable varchar, data_type varchar,
    character_maximum_length int4, character_octet_length int4, numeric_precision int4,
    numeric_precision_radix int4, numeric_scale int4, datetime_precision int4, interval_type varchar,
    interval_precision int4, character_set_catalog name, character_set_schema name, character_set_name name,
    collation_catalog name, collation_schema name, collation_name name, domain_catalog name, domain_schema name,
    domain_name name, udt_catalog name, udt_schema name, udt_name name, scope_catalog name, scope_schema name,
    scope_name name, maximum_cardinality int4, dtd_identifier name, is_self_referencing varchar,
    is_identity varchar, identity_generation varchar, identity_start varchar, identity_increment varchar,
    identity_maximum varchar, identity_minimum varchar, identity_cycle varchar, is_generated varchar,
    generation_expression varchar, is_updatable varchar`),
  relation(s, 'table_constraints', 13_004, 'v', `constraint_catalog name, constraint_schema name,
    constraint_name name, table_catalog name, table_schema name, table_name name, constraint_type varchar,
    is_deferrable varchar, initially_deferred varchar, enforced varchar, nulls_distinct varchar`),
  relation(s, 'key_column_usage', 13_005, 'v', `constraint_catalog name, constraint_schema name,
    constraint_name name, table_catalog name, table_schema name, table_name name, column_name name,
    ordinal_position int4, position_in_unique_constraint int4`),
  relation(s, 'views', 13_006, 'v', `table_catalog name, table_schema name, table_name name, view_definition varchar,
    check_option varchar, is_updatable varchar, is_insertable_into varchar, is_trigger_updatable varchar,
    is_trigger_deletable varchar, is_trigger_insertable_into varchar`),
  relation(s, 'referential_constraints', 13_007, 'v', `constraint_catalog name, constraint_schema name,
    constraint_name name, unique_constraint_catalog name, unique_constraint_schema name,
    unique_constraint_name name, match_option varchar, update_rule varchar, delete_rule varchar`),
];
