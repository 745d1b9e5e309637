// Kept for the speaker's imports: the shared implementation lives in server/src/routes.
export { canonicalAttributes, canonicalContext, decodeCanonical, encodeCanonical, routePath } from '../routes';
