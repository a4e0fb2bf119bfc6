import type { Candidate, Detector } from './types.js';

// The at-sign may be URL-encoded (%40) in query strings of portal access logs.
const EMAIL_PATTERN =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9](?:[A-Za-z0-9._+-]{0,62}[A-Za-z0-9_+-])?(?:@|%40)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,24})(?![A-Za-z0-9-]|\.[A-Za-z0-9])/g;

// Asset names such as `logo@2x.png` or `lodash@4.17.js` have the shape of an address; no real
// top-level domain collides with these extensions except .zip, which no one uses for mail.
const FILE_EXTENSIONS = new Set(
  'png jpg jpeg gif svg webp bmp ico js mjs cjs ts css scss map json xml yaml yml txt html htm php jsp asp aspx log zip gz tgz tar rar pdf doc docx xls xlsx ppt pptx'.split(' '),
);

export const emailDetector: Detector = {
  type: 'email',
  sensitive: false,
  applies: (profile) => profile.hasAt,
  detect(text) {
    const found: Candidate[] = [];
    for (const match of text.matchAll(EMAIL_PATTERN)) {
      const value = match[0];
      if (FILE_EXTENSIONS.has(match[1].toLowerCase()) || value.includes('..')) continue;
      found.push({ value, start: match.index, end: match.index + value.length, confidence: 0.95 });
    }
    return found;
  },
  normalize: (value) => value.replace('%40', '@').toLowerCase(),
};
