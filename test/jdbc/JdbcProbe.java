// Exercises what JDBC tools do against a PostgreSQL-protocol server and prints the results in a
// stable text form: DatabaseMetaData (product, schemas, catalogs, tables, columns, keys, indexes,
// type info), a plain Statement, a PreparedStatement past prepareThreshold (server-side prepare over
// the extended protocol), ResultSetMetaData, and setFetchSize with autocommit off (portal
// suspension). Every call is guarded so one failure is printed and the rest still run.
// Usage: java -cp postgresql.jar:. JdbcProbe jdbc:postgresql://127.0.0.1:PORT/DB USER

import java.sql.*;

public class JdbcProbe {
  interface Step { void run() throws Exception; }

  static void step(String name, Step body) {
    System.out.println("== " + name);
    try { body.run(); } catch (Exception e) {
      System.out.println("ERROR " + e.getClass().getSimpleName() + ": " + e.getMessage().split("\n")[0]);
    }
  }

  static void print(ResultSet rs, String... columns) throws SQLException {
    int rows = 0;
    while (rs.next()) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < columns.length; i++) {
        if (i > 0) line.append(" | ");
        line.append(rs.getString(columns[i]));
      }
      System.out.println(line);
      rows++;
    }
    System.out.println("(" + rows + " rows)");
    rs.close();
  }

  public static void main(String[] args) throws Exception {
    try (Connection c = DriverManager.getConnection(args[0], args[1], "")) {
      DatabaseMetaData md = c.getMetaData();
      step("product", () -> System.out.println(md.getDatabaseProductName() + " " + (md.getDatabaseProductVersion() != null)));
      step("schemas", () -> print(md.getSchemas(), "TABLE_SCHEM"));
      step("schemas pattern", () -> print(md.getSchemas(null, "pub%"), "TABLE_SCHEM"));
      step("catalogs", () -> print(md.getCatalogs(), "TABLE_CAT"));
      step("tables", () -> print(md.getTables(null, "public", "%", new String[] {"TABLE", "VIEW"}), "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE"));
      step("tables all", () -> print(md.getTables(null, null, "ord%", null), "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE"));
      step("columns", () -> print(md.getColumns(null, "public", "orders", null), "COLUMN_NAME", "DATA_TYPE", "TYPE_NAME", "COLUMN_SIZE", "DECIMAL_DIGITS", "NULLABLE", "ORDINAL_POSITION", "IS_AUTOINCREMENT"));
      step("primary keys", () -> print(md.getPrimaryKeys(null, "public", "orders"), "TABLE_NAME", "COLUMN_NAME", "KEY_SEQ", "PK_NAME"));
      step("index info", () -> print(md.getIndexInfo(null, "public", "orders", false, false), "TABLE_NAME", "NON_UNIQUE", "INDEX_NAME", "ORDINAL_POSITION", "COLUMN_NAME"));
      step("type info", () -> {
        ResultSet rs = md.getTypeInfo();
        int rows = 0; boolean int4 = false, text = false;
        while (rs.next()) {
          rows++;
          if ("int4".equals(rs.getString("TYPE_NAME"))) int4 = rs.getInt("DATA_TYPE") == Types.INTEGER;
          if ("text".equals(rs.getString("TYPE_NAME"))) text = rs.getInt("DATA_TYPE") == Types.VARCHAR;
        }
        System.out.println("rows>10 " + (rows > 10) + " int4 " + int4 + " text " + text);
      });
      step("imported keys", () -> print(md.getImportedKeys(null, "public", "orders"), "PKTABLE_NAME", "FKCOLUMN_NAME"));
      step("exported keys", () -> print(md.getExportedKeys(null, "public", "orders"), "FKTABLE_NAME", "FKCOLUMN_NAME"));
      step("statement", () -> {
        try (Statement s = c.createStatement()) {
          ResultSet rs = s.executeQuery("SELECT cust_key, order_key, price, note FROM orders ORDER BY order_key");
          ResultSetMetaData rsmd = rs.getMetaData();
          for (int i = 1; i <= rsmd.getColumnCount(); i++) {
            System.out.println("column " + rsmd.getColumnName(i) + " " + rsmd.getColumnTypeName(i) + " " + rsmd.getColumnType(i));
          }
          print(rs, "cust_key", "order_key", "price", "note");
        }
      });
      step("prepared", () -> {
        try (PreparedStatement ps = c.prepareStatement("SELECT order_key, note FROM orders WHERE cust_key = ? AND order_key >= ? ORDER BY order_key")) {
          for (int round = 0; round < 6; round++) {
            ps.setInt(1, 1);
            ps.setLong(2, round % 2 == 0 ? 0L : 11L);
            ResultSet rs = ps.executeQuery();
            StringBuilder line = new StringBuilder("round " + round + ":");
            while (rs.next()) line.append(" ").append(rs.getLong(1)).append("=").append(rs.getString(2));
            System.out.println(line);
            rs.close();
          }
        }
      });
      step("fetch size", () -> {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
          s.setFetchSize(2);
          ResultSet rs = s.executeQuery("SELECT order_key FROM orders ORDER BY order_key");
          StringBuilder line = new StringBuilder("keys:");
          while (rs.next()) line.append(" ").append(rs.getLong(1));
          System.out.println(line);
          rs.close();
        }
        c.commit();
        c.setAutoCommit(true);
      });
    }
  }
}
