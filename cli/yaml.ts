/** A value JSON can hold: what keyturn's machine-readable outputs are made of. */
type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json | undefined };

/** Plain scalars YAML 1.1 or 1.2 readers would take for something else, quoted to stay strings. */
const SPECIAL = /^(?:true|false|yes|no|on|off|y|n|null|~|[-+]?(?:\.inf|\.nan)|[-+.\d].*)$/i;
const PLAIN = /^[A-Za-z_/][\w./@()-]*(?: [\w./@()-]+)*$/;

/**
 * Writes `value` as block-style YAML (the `-o yaml` output). Strings that could read as anything but a
 * string are double-quoted as JSON (a JSON string is a YAML string), so `yaml.load` gives back `value`.
 */
export function toYaml(value: Json): string {
  return `${lines(value, 0).join('\n')}\n`;
}

function lines(value: Json, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${pad}[]`];
    return value.flatMap((item: Json) => {
      const [first = '', ...rest] = nested(item, indent + 2);
      return [`${pad}- ${first.trimStart()}`, ...rest];
    });
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined) as [string, Json][];
    if (entries.length === 0) return [`${pad}{}`];
    return entries.flatMap(([key, item]) => {
      const name = `${pad}${scalar(key)}:`;
      if (isCollection(item)) return [name, ...nested(item, indent + 2)];
      return [`${name} ${scalar(item)}`];
    });
  }
  return [`${pad}${scalar(value)}`];
}

function nested(value: Json, indent: number): string[] {
  return isCollection(value) ? lines(value, indent) : [`${' '.repeat(indent)}${scalar(value)}`];
}

function isCollection(value: Json): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return value !== null && typeof value === 'object' && Object.keys(value).length > 0;
}

function scalar(value: Json): string {
  if (Array.isArray(value)) return '[]';
  if (value !== null && typeof value === 'object') return '{}';
  if (typeof value !== 'string') return JSON.stringify(value);
  return PLAIN.test(value) && !SPECIAL.test(value) ? value : JSON.stringify(value);
}
