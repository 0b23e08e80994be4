/**
 * The limits every manifest file is held to before and while it is parsed, so that no input can exhaust the
 * stack, the memory or the time of `validate`, `plan`, the controller or the worker. Each is far above what a
 * real manifest needs (Kubernetes refuses objects over 1.5 MiB) and each is reported as a located error.
 */
export const INPUT_LIMITS = {
  /** Characters in one file: Kubernetes' limit for one object (1.5 MiB); parsing that much takes ~2 s. */
  fileChars: 1.5 * 1024 * 1024,
  /** Nesting of mappings and lists in one document. */
  depth: 64,
  /**
   * Levels of indentation in a row, each `- `, `? ` or `: ` that opens a compact item counted as one, checked on
   * the text before it is parsed: the parser recurses on them when they close. An upper bound of the nesting,
   * so twice `depth`: what passes is then measured exactly.
   */
  indentLevels: 128,
  /** Values (mappings, lists, scalars) in one document once its aliases are expanded. */
  expandedValues: 100_000,
  /** Characters of the scalars in one document once its aliases are expanded. */
  expandedChars: 1.5 * 1024 * 1024,
  /**
   * Nodes a Workflow's entry expands to, every reference to a template counted (Chaos Mesh runs each anew):
   * each node is a handful of events in the run's Temporal history, which Temporal caps at 51,200.
   */
  workflowNodes: 1000,
  /** Templates nested in one another from the entry down. */
  workflowDepth: 64,
  /** Syntax errors reported for one file, and errors or warnings for one document; the rest are counted. */
  issuesPerDocument: 50,
} as const;
