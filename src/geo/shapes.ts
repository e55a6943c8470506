/** The shape of every result the geo lookup reads from SQL (queries/geo), one definition each (src/db/shape.ts). */
import { rowShape } from '../db/shape.js';

export const FILE_RANGE_COUNT_ROW = rowShape('the rows of a range file', { rows: 'integer' });
export const RANGE_PROBLEM_ROW = rowShape('a bad range row', { file_index: 'integer', row_no: 'integer', problem: 'text' });
export const RANGE_COUNT_ROW = rowShape('the count of geo ranges', { ranges: 'integer' });
export const LOOKUP_NEEDED_ROW = rowShape('the addresses to look up', { addresses: 'integer' });
export const LOOKUP_RESULT_ROW = rowShape('a looked-up address', { ip: 'text', country: 'text?', status: 'text' });
