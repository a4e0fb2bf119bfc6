/** How much of each sending program Taishi can read, and the shapes of what it cannot: pure, no framework. */
export { lineShape, programOf } from './shape.js';
export { OTHER, RecognitionTally, type ProgramRecognition, type RecognitionOptions } from './tally.js';
