// Types of a statement's $n parameters: declared by the client (Parse) or inferred from the first
// context that needs one (`$1::int`, `col = $1`, `$1 + 1`). Parameters nothing determines are text.

import { SqlError, SqlState } from '../../common/errors.js';
import { limits } from '../../common/limits.js';
import { Types, type DataType } from '../../common/types.js';

export class ParameterTypes {
  private readonly types: (DataType | null)[];

  constructor(hints: readonly (DataType | null)[]) {
    this.types = [...hints];
  }

  /** The type of $n (1-based) so far; `unknown` until something determines it. */
  typeOf(number: number, position: number | undefined): DataType {
    if (number < 1 || number > limits.parametersMax) {
      throw new SqlError(SqlState.undefinedParameter, `there is no parameter $${number}`, position === undefined ? {} : { position });
    }
    while (this.types.length < number) this.types.push(null);
    return this.types[number - 1] ?? Types.unknown;
  }

  /** Fixes the type of $n; later references see it. */
  determine(number: number, type: DataType): void {
    while (this.types.length < number) this.types.push(null);
    if (this.types[number - 1] === null || this.types[number - 1] === undefined) this.types[number - 1] = type;
  }

  /** Final parameter types, with undetermined ones as text. */
  resolved(): DataType[] {
    return this.types.map((type) => type ?? Types.text);
  }
}
