export { TorchGenerator } from './torch-generator';
export type { NormalKernel, TorchGeneratorOptions } from './torch-generator';
