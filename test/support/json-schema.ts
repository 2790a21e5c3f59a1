/**
 * A small JSON Schema checker for the subset schema/print-events.schema.json uses: type, const,
 * enum, properties, required, additionalProperties (false, or a schema for every other field), items, oneOf, $ref to #/$defs.
 * Returns one "path: problem" line per mismatch ([] when the value fits).
 */
export function validate(root: any, value: unknown, schema: any = root, path = "$"): string[] {
  if (schema.$ref) return validate(root, value, root.$defs[schema.$ref.replace("#/$defs/", "")], path);
  if (schema.oneOf) {
    const fits = schema.oneOf.filter((option: any) => validate(root, value, option, path).length === 0);
    if (fits.length === 1) return [];
    return [`${path}: matches ${fits.length} of the oneOf shapes (type ${(value as any)?.type})`];
  }
  const problems: string[] = [];
  if (schema.const !== undefined && value !== schema.const) return [`${path}: expected ${JSON.stringify(schema.const)}`];
  if (schema.enum && !schema.enum.includes(value)) return [`${path}: ${JSON.stringify(value)} not in ${schema.enum.join("|")}`];
  if (schema.type) {
    const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((type) => hasType(value, type))) return [`${path}: expected ${types.join("|")}, got ${JSON.stringify(value)?.slice(0, 40)}`];
  }
  if (hasType(value, "object")) {
    const object = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in object)) problems.push(`${path}: missing ${key}`);
    for (const [key, field] of Object.entries(object)) {
      const spec = schema.properties?.[key];
      if (spec) problems.push(...validate(root, field, spec, `${path}.${key}`));
      else if (schema.additionalProperties === false) problems.push(`${path}: unexpected field ${key}`);
      else if (typeof schema.additionalProperties === "object") problems.push(...validate(root, field, schema.additionalProperties, `${path}.${key}`));
    }
  }
  if (Array.isArray(value) && schema.items) value.forEach((item, i) => problems.push(...validate(root, item, schema.items, `${path}[${i}]`)));
  return problems;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    case "array":
      return Array.isArray(value);
    case "integer":
      return Number.isInteger(value);
    case "null":
      return value === null;
    default:
      return typeof value === type;
  }
}
