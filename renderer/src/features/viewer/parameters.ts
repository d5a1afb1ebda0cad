/** An image's parameters as text in AUTOMATIC1111's layout, which other tools and sites read back. */
import type { ImageSummary } from '../../../../electron/contract';

export function parametersText(image: ImageSummary): string {
  const fields: [string, string | number | null][] = [
    ['Steps', image.steps],
    ['Sampler', image.sampler],
    ['CFG scale', image.guidance],
    ['Seed', image.seed],
    ['Size', `${image.width}x${image.height}`],
    ['Model hash', image.modelHash],
    ['Model', image.modelName],
  ];
  const lines = [image.prompt];
  if (image.negativePrompt !== '') lines.push(`Negative prompt: ${image.negativePrompt}`);
  lines.push(
    fields
      .filter(([, v]) => v !== null)
      .map(([k, v]) => `${k}: ${String(v)}`)
      .join(', '),
  );
  return lines.join('\n');
}
