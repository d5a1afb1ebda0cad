// Runs exported ONNX graphs with onnxruntime-node on the inputs PyTorch saw, and fails when any output
// differs from PyTorch's by more than 1e-4. Called by export.py; reads the JSON that export.py writes.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../package.json', import.meta.url));
const ort = require('onnxruntime-node');
const TOLERANCE = 1e-4;
const arrays = { float32: Float32Array, int32: Int32Array, int64: BigInt64Array };

let worst = 0;
for (const { model, inputs, outputs } of JSON.parse(readFileSync(process.argv[2], 'utf8'))) {
  const session = await ort.InferenceSession.create(model);
  const feeds = {};
  for (const [name, t] of Object.entries(inputs)) {
    const data = t.type === 'int64' ? BigInt64Array.from(t.data, BigInt) : arrays[t.type].from(t.data);
    feeds[name] = new ort.Tensor(t.type, data, t.dims);
  }
  const got = await session.run(feeds);
  for (const [name, expected] of Object.entries(outputs)) {
    const actual = got[name].data;
    let diff = 0;
    expected.data.forEach((v, i) => { diff = Math.max(diff, Math.abs(v - actual[i])); });
    worst = Math.max(worst, diff);
    console.log(`${model.split('/').slice(-2, -1)[0]}.${name}: max |onnx - torch| = ${diff.toExponential(2)}`);
    if (!(diff <= TOLERANCE)) {
      console.error(`FAIL: ${name} differs by ${diff} > ${TOLERANCE}`);
      process.exit(1);
    }
  }
  await session.release();
}
console.log(`ok: every output within ${TOLERANCE} (worst ${worst.toExponential(2)})`);
