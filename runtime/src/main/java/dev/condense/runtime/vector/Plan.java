// A graph compiled for fixed input shapes: kernels in order, operands placed, arenas pooled per run.
package dev.condense.runtime.vector;

import dev.condense.ir.DataType;
import dev.condense.ir.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Built once, run many times. A run borrows an arena (one float array holding every activation
 * and scratch region) from a pool and returns it, so steady-state runs allocate nothing but the
 * output tensors they hand back; concurrent runs each hold their own arena.
 */
final class Plan {

    private final Kernel[] kernels;
    private final String[] kernelNames;
    private final String[] kernelOps;
    private final Map<String, Operand> inputs;
    private final Map<String, Operand> outputs;
    private final Map<String, Tensor> constantOutputs;
    private final int arenaSize;
    private final ConcurrentLinkedQueue<float[]> arenas = new ConcurrentLinkedQueue<>();

    Plan(List<Kernel> kernels, List<String> kernelNames, List<String> kernelOps, Map<String, Operand> inputs,
         Map<String, Operand> outputs, Map<String, Tensor> constantOutputs, int arenaSize) {
        this.kernels = kernels.toArray(Kernel[]::new);
        this.kernelNames = kernelNames.toArray(String[]::new);
        this.kernelOps = kernelOps.toArray(String[]::new);
        this.inputs = inputs;
        this.outputs = outputs;
        this.constantOutputs = Map.copyOf(constantOutputs);
        this.arenaSize = arenaSize;
    }

    List<String> kernelNames() {
        return List.of(kernelNames);
    }

    /** The op each kernel runs, in order: a fused QDQ layer shows as QLinearConv or QLinearMatMul. */
    List<String> kernelOps() {
        return List.of(kernelOps);
    }

    Map<String, Tensor> run(Map<String, Tensor> feeds) throws dev.condense.runtime.SessionException {
        float[] arena = arenas.poll();
        if (arena == null) {
            arena = new float[arenaSize];
        }
        try {
            for (Map.Entry<String, Operand> in : inputs.entrySet()) {
                Tensor t = feeds.get(in.getKey());
                Operand o = in.getValue();
                MemorySegment.copy(t.data(), Tensor.FLOAT_LE, 0, arena, o.offset(), o.size());
            }
            for (Kernel k : kernels) {
                k.run(arena);
            }
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Map.Entry<String, Operand> e : outputs.entrySet()) {
                Tensor constant = constantOutputs.get(e.getKey());
                out.put(e.getKey(), constant != null ? constant : output(e.getKey(), e.getValue(), arena));
            }
            return out;
        } catch (KernelRunException e) {
            throw new dev.condense.runtime.SessionException(e.getMessage(), e);
        } finally {
            arenas.offer(arena);
        }
    }

    /** Output {@code o} as a tensor of its ONNX type: quantized values are exact floats in the arena. */
    private static Tensor output(String name, Operand o, float[] arena) {
        float[] a = o.array(arena);
        int off = o.offset();
        int n = o.size();
        if (o.dtype() == DataType.FLOAT) {
            MemorySegment seg = MemorySegment.ofArray(new byte[Math.multiplyExact(n, 4)]);
            MemorySegment.copy(a, off, seg, Tensor.FLOAT_LE, 0, n);
            return new Tensor(name, DataType.FLOAT, o.shape(), seg);
        }
        long[] values = new long[n];
        for (int i = 0; i < n; i++) {
            values[i] = (long) a[off + i];
        }
        return Tensor.fromLongs(name, o.dtype(), o.shape(), values);
    }

    /**
     * Milliseconds per kernel, the median over {@code runs} runs, in plan order (for {@code bench
     * --profile}): the median rather than the mean, so a run that lost its core to another process
     * does not move a kernel's figure.
     */
    double[] profile(Map<String, Tensor> feeds, int runs) {
        long[][] nanos = new long[kernels.length][runs];
        float[] arena = new float[arenaSize];
        for (int r = 0; r < runs; r++) {
            for (Map.Entry<String, Operand> in : inputs.entrySet()) {
                Operand o = in.getValue();
                MemorySegment.copy(feeds.get(in.getKey()).data(), Tensor.FLOAT_LE, 0, arena, o.offset(), o.size());
            }
            for (int i = 0; i < kernels.length; i++) {
                long t0 = System.nanoTime();
                kernels[i].run(arena);
                nanos[i][r] = System.nanoTime() - t0;
            }
        }
        double[] ms = new double[kernels.length];
        for (int i = 0; i < kernels.length; i++) {
            long[] t = nanos[i];
            java.util.Arrays.sort(t);
            ms[i] = (runs % 2 == 1 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2.0) / 1e6;
        }
        return ms;
    }
}
