import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';

/** A calendar date in the campaign's time zone, `YYYY-MM-DD`. It names a day, not an instant. */
export const LocalDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'local-date' })
  .refine((value) => DateTime.fromISO(value, { zone: 'UTC' }).isValid, { message: 'local-date' })
  .meta({ description: 'Calendar date YYYY-MM-DD in the campaign time zone', examples: ['2018-01-19'] });

/** A wall-clock time of day, `HH:MM`, 24-hour. */
export const LocalTimeSchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'local-time' })
  .meta({ examples: ['08:00'] });

export const TimeZoneSchema = z
  .string()
  .refine((value) => IANAZone.isValidZone(value), { message: 'time-zone' })
  .meta({ description: 'IANA time zone name', examples: ['Asia/Shanghai'] });

export const SlugSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{1,63}$/, { message: 'slug' });

export const EmailSchema = z.email().max(254);

export const LabelSchema = z.strictObject({
  zh: z.string().trim().min(1).max(200),
  en: z.string().trim().min(1).max(200),
});
export type Label = z.infer<typeof LabelSchema>;

/**
 * The kinds of unit that take part. District bureaus supervise the schools of their district;
 * the city safety office (安稳处) supervises the directly affiliated units and the bureaus.
 */
export const UNIT_TYPES = ['district-bureau', 'affiliated-unit', 'school', 'city-office'] as const;
export const UnitTypeSchema = z.enum(UNIT_TYPES);
export type UnitType = z.infer<typeof UnitTypeSchema>;

export const UNIT_TYPE_LABELS: Record<UnitType, Label> = {
  'district-bureau': { zh: '教育行政部门', en: 'district bureau' },
  'affiliated-unit': { zh: '直属单位', en: 'directly affiliated unit' },
  school: { zh: '学校', en: 'school' },
  'city-office': { zh: '市教育局安稳处', en: 'city safety office' },
};
