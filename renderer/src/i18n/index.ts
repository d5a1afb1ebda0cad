/**
 * Every visible string comes from a typed dictionary: `MessageKey` is the English dictionary's keys, and the
 * French one must have exactly those (a missing or extra key is a type error). Placeholders are `{name}`;
 * numbers put in them are formatted for the locale.
 */
import { en, type Dictionary, type MessageKey } from './en';
import { fr } from './fr';

export type { MessageKey } from './en';
export type Locale = 'en' | 'fr';
export const LOCALES: readonly Locale[] = ['en', 'fr'];
const DICTIONARIES: Readonly<Record<Locale, Dictionary>> = { en, fr };

export type Vars = Readonly<Record<string, string | number>>;
export type Translate = (key: MessageKey, vars?: Vars) => string;

/** The language setting ('system' follows the browser's or the system's languages, in order). */
export function resolveLocale(setting: 'system' | Locale, languages: readonly string[]): Locale {
  if (setting !== 'system') return setting;
  for (const language of languages) {
    const base = language.toLowerCase().split('-')[0];
    if (base === 'fr' || base === 'en') return base;
  }
  return 'en';
}

const translators = new Map<Locale, Translate>();

/** One translator per language for the page's lifetime: every component's `useT` shares it (and its number format). */
export function translator(locale: Locale): Translate {
  let translate = translators.get(locale);
  if (translate === undefined) {
    translate = createTranslator(locale);
    translators.set(locale, translate);
  }
  return translate;
}

function createTranslator(locale: Locale): Translate {
  const dictionary = DICTIONARIES[locale];
  const numbers = new Intl.NumberFormat(locale);
  return (key, vars) => {
    const text = dictionary[key];
    if (vars === undefined) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
      const value = vars[name];
      if (value === undefined) return whole;
      return typeof value === 'number' ? numbers.format(value) : value;
    });
  };
}
