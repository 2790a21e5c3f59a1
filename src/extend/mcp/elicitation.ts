import type { ElicitationAnswer, ElicitationRequest } from "./client-features.js";

/**
 * A server's form (elicitation/create, form mode) as fields a person fills in one by one: each
 * field's kind, default and limits read from its schema, and each typed answer checked against
 * them with a sentence that says what to type instead. Decides nothing about the screen; the
 * REPL's form (terminal/elicitation-form.ts) and --print's policy use it.
 */

export type FieldKind = "string" | "number" | "integer" | "boolean" | "choice" | "choices";

export interface FormField {
  name: string;
  /** The title, else the name. */
  label: string;
  description?: string;
  kind: FieldKind;
  required: boolean;
  default?: unknown;
  /** For choice(s): the values and what to show for each. */
  options?: { value: string; label: string }[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  format?: string;
}

/** What --print does with a form: decline it (the default) or accept every field's default. */
export type PrintElicitation = "decline" | "defaults";

type Schema = Record<string, unknown>;

export function formFields(requested: { properties?: Record<string, unknown>; required?: string[] }): FormField[] {
  const required = new Set(requested.required ?? []);
  return Object.entries(requested.properties ?? {}).map(([name, raw]) => {
    const schema = (raw ?? {}) as Schema;
    const number = (key: string) => (typeof schema[key] === "number" ? (schema[key] as number) : undefined);
    return {
      name,
      label: typeof schema.title === "string" && schema.title ? schema.title : name,
      description: typeof schema.description === "string" ? schema.description : undefined,
      kind: kindOf(schema),
      required: required.has(name),
      default: schema.default,
      options: optionsOf(schema),
      minimum: number("minimum"),
      maximum: number("maximum"),
      // A multi-select's item counts are its length limits.
      minLength: number("minLength") ?? number("minItems"),
      maxLength: number("maxLength") ?? number("maxItems"),
      format: typeof schema.format === "string" ? schema.format : undefined,
    };
  });
}

/** The field's line in the form: "Age (integer ≥ 0, required) [41]". */
export function fieldQuestion(field: FormField): string {
  const hints: string[] = [];
  if (field.kind === "choice" || field.kind === "choices") {
    hints.push(`${field.kind === "choices" ? "any of" : "one of"}: ${field.options!.map((o, i) => `${i + 1}) ${o.label}`).join(", ")}`);
  } else if (field.kind === "boolean") hints.push("y/n");
  else if (field.kind !== "string") hints.push(field.kind);
  if (field.format) hints.push(field.format);
  if (field.minimum !== undefined) hints.push(`≥ ${field.minimum}`);
  if (field.maximum !== undefined) hints.push(`≤ ${field.maximum}`);
  if (field.required) hints.push("required");
  const shownDefault = field.default === undefined ? "" : ` [${showValue(field, field.default)}]`;
  return `${field.label}${hints.length ? ` (${hints.join(", ")})` : ""}${shownDefault}`;
}

/**
 * What `typed` means for `field`: a value, nothing (an optional field left empty), or a problem
 * (one sentence saying what to type). Enter on an empty line takes the default.
 */
export function readField(field: FormField, typed: string): { value?: unknown; problem?: string } {
  const text = typed.trim();
  if (!text) {
    if (field.default !== undefined) return { value: field.default };
    return field.required ? { problem: `${field.label} is required.` } : {};
  }
  switch (field.kind) {
    case "boolean":
      if (/^(y|yes|true|1)$/i.test(text)) return { value: true };
      if (/^(n|no|false|0)$/i.test(text)) return { value: false };
      return { problem: `${field.label}: type y or n.` };
    case "number":
    case "integer": {
      const value = Number(text);
      if (!Number.isFinite(value) || (field.kind === "integer" && !Number.isInteger(value))) return { problem: `${field.label}: type ${field.kind === "integer" ? "a whole number" : "a number"}, e.g. 42.` };
      if (field.minimum !== undefined && value < field.minimum) return { problem: `${field.label}: at least ${field.minimum}.` };
      if (field.maximum !== undefined && value > field.maximum) return { problem: `${field.label}: at most ${field.maximum}.` };
      return { value };
    }
    case "choice": {
      const option = pick(field, text);
      return option ? { value: option } : { problem: `${field.label}: type one of ${field.options!.map((o) => o.value).join(", ")} (or its number).` };
    }
    case "choices": {
      const picked = text.split(",").map((part) => pick(field, part.trim()));
      if (picked.some((value) => value === undefined)) return { problem: `${field.label}: type some of ${field.options!.map((o) => o.value).join(", ")}, separated by commas.` };
      if (field.minLength !== undefined && picked.length < field.minLength) return { problem: `${field.label}: pick at least ${field.minLength}.` };
      if (field.maxLength !== undefined && picked.length > field.maxLength) return { problem: `${field.label}: pick at most ${field.maxLength}.` };
      return { value: [...new Set(picked)] };
    }
    default:
      return readString(field, text);
  }
}

/** --print's answer to a server's question, and the one stderr line that says what it did. */
export function printAnswer(server: string, request: ElicitationRequest, policy: PrintElicitation): { answer: ElicitationAnswer; line: string } {
  const asked = `MCP server ${server} asked "${oneLine(request.message)}"`;
  if (request.mode === "url") return { answer: { action: "decline" }, line: `${asked} (to open a URL): declined, --print cannot open pages for you.` };
  if (policy === "defaults") {
    const fields = formFields(request.requestedSchema);
    const missing = fields.filter((field) => field.required && field.default === undefined).map((field) => field.name);
    if (missing.length === 0) {
      const content = Object.fromEntries(fields.filter((field) => field.default !== undefined).map((field) => [field.name, field.default]));
      return { answer: { action: "accept", content: content as never }, line: `${asked}: answered with the form's defaults (--mcp-elicitation defaults).` };
    }
    return { answer: { action: "decline" }, line: `${asked}: declined, ${missing.join(", ")} has no default (--mcp-elicitation defaults).` };
  }
  return { answer: { action: "decline" }, line: `${asked}: declined, --print cannot ask you (--mcp-elicitation defaults accepts a form's defaults).` };
}

export function showValue(field: FormField, value: unknown): string {
  if (field.kind === "boolean") return value ? "y" : "n";
  if (Array.isArray(value)) return value.join(", ");
  return String(value);
}

function readString(field: FormField, text: string): { value?: unknown; problem?: string } {
  if (field.minLength !== undefined && text.length < field.minLength) return { problem: `${field.label}: at least ${field.minLength} characters.` };
  if (field.maxLength !== undefined && text.length > field.maxLength) return { problem: `${field.label}: at most ${field.maxLength} characters.` };
  const formats: Record<string, [RegExp | ((text: string) => boolean), string]> = {
    email: [/^[^\s@]+@[^\s@]+\.[^\s@]+$/, "an email address, e.g. ada@example.com"],
    uri: [(t) => URL.canParse(t), "a full URL, e.g. https://example.com"],
    date: [/^\d{4}-\d{2}-\d{2}$/, "a date as YYYY-MM-DD"],
    "date-time": [(t) => /^\d{4}-\d{2}-\d{2}T/.test(t) && !Number.isNaN(Date.parse(t)), "a date and time, e.g. 2025-01-31T09:30:00Z"],
  };
  const check = field.format ? formats[field.format] : undefined;
  if (check && !(typeof check[0] === "function" ? check[0](text) : check[0].test(text))) return { problem: `${field.label}: type ${check[1]}.` };
  return { value: text };
}

function kindOf(schema: Schema): FieldKind {
  if (schema.type === "array") return "choices";
  if (Array.isArray(schema.enum) || Array.isArray(schema.oneOf)) return "choice";
  if (schema.type === "boolean" || schema.type === "number" || schema.type === "integer") return schema.type;
  return "string";
}

function optionsOf(schema: Schema): FormField["options"] {
  const source = schema.type === "array" ? ((schema.items ?? {}) as Schema) : schema;
  if (Array.isArray(source.enum)) {
    const names = Array.isArray(schema.enumNames) ? (schema.enumNames as string[]) : [];
    return (source.enum as string[]).map((value, i) => ({ value: String(value), label: names[i] ?? String(value) }));
  }
  const listed = (source.oneOf ?? source.anyOf) as { const?: unknown; title?: string }[] | undefined;
  if (Array.isArray(listed)) return listed.map((option) => ({ value: String(option.const), label: option.title ?? String(option.const) }));
  return undefined;
}

/** An option by value, label (any case) or 1-based number. */
function pick(field: FormField, text: string): string | undefined {
  const options = field.options ?? [];
  const byNumber = /^\d+$/.test(text) ? options[Number(text) - 1] : undefined;
  const found = byNumber ?? options.find((o) => o.value === text) ?? options.find((o) => o.value.toLowerCase() === text.toLowerCase() || o.label.toLowerCase() === text.toLowerCase());
  return found?.value;
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}
