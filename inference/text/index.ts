export { ClipTokenizer, loadTokenizer, TokenizerFilesError, UnknownTokenError } from './tokenizer';
export type { ClipTokenizerData, EncodedPrompt } from './tokenizer';
