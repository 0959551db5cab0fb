/** The networks the benchmark times: two built with tf.layers, and the committed bundle's resnet. */
import { tf } from '../src/index.js';

/** LeNet-5-sized CNN for 28x28x1: two 5x5 convs, two max pools, three dense layers. */
export function leNet(): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 120, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 84, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 10 }));
  return model;
}

function convBnRelu6(x: tf.SymbolicTensor, filters: number, kernelSize: number, strides = 1): tf.SymbolicTensor {
  let y = tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false }).apply(x) as tf.SymbolicTensor;
  y = tf.layers.batchNormalization().apply(y) as tf.SymbolicTensor;
  return tf.layers.reLU({ maxValue: 6 }).apply(y) as tf.SymbolicTensor;
}

/** MobileNetV2 inverted residual: 1x1 expand, 3x3 depthwise (stride s), 1x1 project, residual when shapes match. */
function invertedResidual(x: tf.SymbolicTensor, outCh: number, stride: number, expand = 6): tf.SymbolicTensor {
  const inCh = x.shape[3] as number;
  let y = convBnRelu6(x, inCh * expand, 1);
  y = tf.layers.depthwiseConv2d({ kernelSize: 3, strides: stride, padding: 'same', useBias: false }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.batchNormalization().apply(y) as tf.SymbolicTensor;
  y = tf.layers.reLU({ maxValue: 6 }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.conv2d({ filters: outCh, kernelSize: 1, useBias: false }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.batchNormalization().apply(y) as tf.SymbolicTensor;
  if (stride === 1 && inCh === outCh) y = tf.layers.add().apply([x, y]) as tf.SymbolicTensor;
  return y;
}

/** MobileNetV2-style stack for 32x32x3: stem conv, five inverted residual blocks, 1x1 conv, global average pool, dense. */
export function mobileNetV2Stack(): tf.LayersModel {
  const input = tf.input({ shape: [32, 32, 3] });
  let x = convBnRelu6(input, 16, 3);
  x = invertedResidual(x, 16, 1, 1);
  x = invertedResidual(x, 24, 2);
  x = invertedResidual(x, 24, 1);
  x = invertedResidual(x, 32, 2);
  x = invertedResidual(x, 32, 1);
  x = convBnRelu6(x, 128, 1);
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 10 }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** The committed bundle's architecture (multimnist-resnet, batch 64), trained by @mtl-split/model's own code (a bench-only import). */
export async function resnetStep(): Promise<{ step: () => Promise<void>; dispose: () => void }> {
  const modelPkg = '../../model/src/index.js';
  const { buildModel } = (await import(modelPkg)) as typeof import('../../model/src/index.js');
  const tasks = ['left', 'right'].map((name) => ({ name, classes: [...'0123456789'] }));
  const m = buildModel({ backbone: 'resnet', inputShape: [28, 28, 1], tasks, bottleneck: { point: 'block4', channels: 8 } });
  const x = tf.randomUniform([64, 28, 28, 1]) as tf.Tensor4D;
  const y = tf.zeros([64], 'int32') as tf.Tensor1D;
  const opt = tf.train.adam(1e-3);
  return {
    step: async () =>
      tf.tidy(() => {
        opt.minimize(
          () => {
            const o = m.forward(x, { training: true, nextSeed: () => 1 });
            return tf.addN(m.heads.map((h) => h.loss(o[h.task] as tf.Tensor2D, y))) as tf.Scalar;
          },
          false,
          m.variables(),
        );
      }),
    dispose: () => {
      tf.dispose([x, y]);
      opt.dispose();
      m.dispose();
    },
  };
}
