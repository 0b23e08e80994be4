/** The public API of `manifests/`: load, validate and compile chaosflow manifests (Node-side, pure). */
export { compileManifest, type CompiledManifest, type CompileOptions } from './compile.js';
export {
  MANIFEST_ERROR_CODES,
  MANIFEST_WARNING_CODES,
  type ManifestError,
  type ManifestErrorCode,
  type ManifestIssue,
  type ManifestWarning,
  type ManifestWarningCode,
  type SourcePosition,
} from './errors.js';
export {
  formatManifestError,
  formatManifestErrors,
  formatManifestWarning,
  formatManifestWarnings,
} from './format-error.js';
export { loadManifests, type LoadedDocument, type LoadedFile } from './load.js';
export { API_VERSIONS, MANIFEST_KINDS, type ManifestKind } from './manifest-kinds.js';
export {
  readManifestFile,
  readManifestText,
  type DocumentSummary,
  type ManifestFileResult,
} from './read-manifests.js';
export { validateManifest, type ValidationResult } from './validate.js';
