// Tables drawn under their seats: each table of the plan (`plan.tables`) as an area record
// (areas.js draws it), a circle or a rectangle with its name. Pure: Node tests it.

const TABLE_FILL = '#e5e7eb';
const TABLE_TEXT = '#374151';

/** The area records that draw these tables (their seats are ordinary seats around them). */
export function tableAreas(tables) {
  const areas = [];
  for (const table of tables ?? []) {
    const x = Number(table.x) || 0;
    const y = Number(table.y) || 0;
    const paint = { color: table.color || TABLE_FILL, text: table.name, text_color: TABLE_TEXT };
    if (table.shape === 'rectangle') {
      const width = Number(table.width) || 0;
      const height = Number(table.height) || 0;
      const size = Math.max(6, Math.min(height * 0.4, width / (0.6 * Math.max(4, table.name.length))));
      areas.push({ shape: 'rectangle', x: x - width / 2, y: y - height / 2, width, height, text_size: size, ...paint });
    } else {
      const radius = Number(table.radius) || 0;
      const size = Math.max(6, Math.min(radius * 0.42, (radius * 1.7) / (0.6 * table.name.length)));
      areas.push({ shape: 'circle', x, y, radius, text_size: size, ...paint });
    }
  }
  return areas;
}
