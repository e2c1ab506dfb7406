import { z } from 'zod';
import { AttachmentKindSchema } from './hazards.ts';

/** `POST /f/{token}/uploads`: the page asks for an upload form for one chosen file. */
export const UploadRequestSchema = z.strictObject({
  deliverableId: z.string().min(1).max(64),
  fileName: z.string().min(1).max(2000),
  size: z.number().int().min(0),
});
export type UploadRequestBody = z.infer<typeof UploadRequestSchema>;

/** `POST /f/{token}/hazards/{unit}/{id}/photos`: a form for one photo of a hazard. */
export const PhotoUploadRequestSchema = z.strictObject({
  photoKind: AttachmentKindSchema,
  fileName: z.string().min(1).max(2000),
  size: z.number().int().min(0),
});

/** `POST /f/{token}/imports`: a form for one filled-in hazard workbook. */
export const ImportUploadRequestSchema = z.strictObject({
  fileName: z.string().min(1).max(2000),
  size: z.number().int().min(0),
});
