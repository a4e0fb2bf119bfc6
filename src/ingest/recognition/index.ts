/** How much of each sending program Taishi can read, and the shapes of what it cannot: pure, no framework. */
export { lineShape, programOf } from './shape.js';
export { OTHER, recognitionOf, RecognitionTally, type LineRecognition, type ProgramRecognition, type RecognitionOptions } from './tally.js';
