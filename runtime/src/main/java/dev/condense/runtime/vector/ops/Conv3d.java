// The 3-D path of Conv (video and volumetric models): direct loops, correct rather than fast.
package dev.condense.runtime.vector.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ops.ConvAttrs;
import dev.condense.ops.SlidingWindow;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Activation;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import dev.condense.runtime.vector.Operand;

/**
 * None of the documented CNN families convolves in 3-D, so this is the plain sum written out,
 * with groups, strides, dilations and pads, output channels split over threads.
 */
final class Conv3d {

    private Conv3d() {
    }

    // x: [N, C, D, H, W], w: [M, C/group, kD, kH, kW], y: [N, M, oD, oH, oW]
    static Kernel create(KernelContext ctx) throws SessionException {
        Operand x = ctx.input(0);
        Operand w = ctx.input(1);
        Operand bias = ctx.hasInput(2) ? ctx.input(2) : null;
        Operand y = ctx.output(0);
        int[] k = {(int) w.dim(2), (int) w.dim(3), (int) w.dim(4)};
        SlidingWindow window;
        SlidingWindow.Placement placement;
        int group;
        try {
            ConvAttrs attrs = ConvAttrs.of(ctx.node(), ctx.opset());
            group = attrs.group();
            window = attrs.window(ctx.node(), k);
            placement = window.resolve(ctx.node(), new long[] {x.dim(2), x.dim(3), x.dim(4)});
        } catch (ModelLoadException e) {
            throw ctx.error(e.getMessage());
        }
        int[] s = window.attrs().strides();
        int[] d = window.attrs().dilations();
        int[] pad = {(int) placement.pads()[0], (int) placement.pads()[1], (int) placement.pads()[2]};
        int n = (int) x.dim(0);
        int c = (int) x.dim(1);
        int[] in = {(int) x.dim(2), (int) x.dim(3), (int) x.dim(4)};
        int m = (int) y.dim(1);
        int[] out = {(int) y.dim(2), (int) y.dim(3), (int) y.dim(4)};
        int cg = c / group;
        int mg = m / group;
        Activation act = ctx.activation();
        return arena -> {
            float[] xa = x.array(arena);
            float[] wa = w.array(arena);
            float[] ya = y.array(arena);
            float[] ba = bias == null ? null : bias.array(arena);
            int xo = x.offset();
            int wo = w.offset();
            int yo = y.offset();
            int bo = bias == null ? 0 : bias.offset();
            ctx.parallel().forRange(n * m, 1, (start, end) -> {
                for (int nm = start; nm < end; nm++) {
                    int b = nm / m;
                    int oc = nm % m;
                    int g = oc / mg;
                    for (int od = 0; od < out[0]; od++) {
                        for (int oh = 0; oh < out[1]; oh++) {
                            for (int ow = 0; ow < out[2]; ow++) {
                                double sum = ba == null ? 0 : ba[bo + oc];
                                for (int ic = 0; ic < cg; ic++) {
                                    int xc = xo + (b * c + g * cg + ic) * in[0] * in[1] * in[2];
                                    int wc = wo + (oc * cg + ic) * k[0] * k[1] * k[2];
                                    for (int kd = 0; kd < k[0]; kd++) {
                                        int id = od * s[0] - pad[0] + kd * d[0];
                                        if (id < 0 || id >= in[0]) {
                                            continue;
                                        }
                                        for (int kh = 0; kh < k[1]; kh++) {
                                            int ih = oh * s[1] - pad[1] + kh * d[1];
                                            if (ih < 0 || ih >= in[1]) {
                                                continue;
                                            }
                                            for (int kw = 0; kw < k[2]; kw++) {
                                                int iw = ow * s[2] - pad[2] + kw * d[2];
                                                if (iw >= 0 && iw < in[2]) {
                                                    sum += (double) wa[wc + (kd * k[1] + kh) * k[2] + kw]
                                                            * xa[xc + (id * in[1] + ih) * in[2] + iw];
                                                }
                                            }
                                        }
                                    }
                                }
                                ya[yo + (((b * m + oc) * out[0] + od) * out[1] + oh) * out[2] + ow] = act.apply((float) sum);
                            }
                        }
                    }
                }
            });
        };
    }
}
