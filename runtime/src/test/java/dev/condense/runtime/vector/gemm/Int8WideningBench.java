// Measures the ways of widening 8-bit products with the Vector API on this machine (run by hand; numbers in docs/RUNTIME.md).
package dev.condense.runtime.vector.gemm;

import jdk.incubator.vector.*;

/**
 * Not a test: {@code java --add-modules jdk.incubator.vector -cp runtime/target/test-classes:runtime/target/classes
 * dev.condense.runtime.vector.gemm.Int8WideningBench}. Each scheme computes a 4-row tile of 8-bit
 * products over K = 576 in registers, as a GEMM micro-kernel would, and prints multiply-adds per
 * nanosecond on one thread; the last rows compare a batch-1 fully connected layer (4096 x 4096)
 * streaming fp32 weights and int8 weights.
 */
public final class Int8WideningBench {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    static final VectorSpecies<Integer> I256 = IntVector.SPECIES_256;
    static final VectorSpecies<Integer> I512 = IntVector.SPECIES_512;
    static final VectorSpecies<Short> S256 = ShortVector.SPECIES_256;
    static final VectorSpecies<Short> S512 = ShortVector.SPECIES_512;
    static final VectorSpecies<Short> S128 = ShortVector.SPECIES_128;
    static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    static final VectorSpecies<Byte> B256 = ByteVector.SPECIES_256;
    static final int K = 576, MR = 4;
    // fp32: 4 rows x 2 vectors of 8 pixels, k loop
    static float fp32(float[] a, float[] b, float[] c) {
        FloatVector c00=FloatVector.zero(F),c01=c00,c10=c00,c11=c00,c20=c00,c21=c00,c30=c00,c31=c00;
        for (int k = 0; k < K; k++) {
            FloatVector b0 = FloatVector.fromArray(F, b, k*16), b1 = FloatVector.fromArray(F, b, k*16+8);
            FloatVector a0 = FloatVector.broadcast(F, a[k*4]); c00=b0.fma(a0,c00); c01=b1.fma(a0,c01);
            FloatVector a1 = FloatVector.broadcast(F, a[k*4+1]); c10=b0.fma(a1,c10); c11=b1.fma(a1,c11);
            FloatVector a2 = FloatVector.broadcast(F, a[k*4+2]); c20=b0.fma(a2,c20); c21=b1.fma(a2,c21);
            FloatVector a3 = FloatVector.broadcast(F, a[k*4+3]); c30=b0.fma(a3,c30); c31=b1.fma(a3,c31);
        }
        return c00.add(c01).add(c10).add(c11).add(c20).add(c21).add(c30).add(c31).reduceLanes(VectorOperators.ADD);
    }
    // u16 pair trick, 512-bit: 4 rows x 1 vector of 16 pixels (x interleaved pairs), per kpair
    static int pair512(int[] w, short[] x) {
        IntVector z = IntVector.zero(I512);
        IntVector r0=z,h0=z,r1=z,h1=z,r2=z,h2=z,r3=z,h3=z;
        for (int j = 0; j < K/2; j++) {
            ShortVector xv = ShortVector.fromArray(S512, x, j*32);
            IntVector p;
            p = IntVector.broadcast(I512, w[j*4]).reinterpretAsShorts().mul(xv).reinterpretAsInts(); r0=r0.add(p); h0=h0.add(p.lanewise(VectorOperators.LSHR,16));
            p = IntVector.broadcast(I512, w[j*4+1]).reinterpretAsShorts().mul(xv).reinterpretAsInts(); r1=r1.add(p); h1=h1.add(p.lanewise(VectorOperators.LSHR,16));
            p = IntVector.broadcast(I512, w[j*4+2]).reinterpretAsShorts().mul(xv).reinterpretAsInts(); r2=r2.add(p); h2=h2.add(p.lanewise(VectorOperators.LSHR,16));
            p = IntVector.broadcast(I512, w[j*4+3]).reinterpretAsShorts().mul(xv).reinterpretAsInts(); r3=r3.add(p); h3=h3.add(p.lanewise(VectorOperators.LSHR,16));
        }
        return r0.add(h0).add(r1).add(h1).add(r2).add(h2).add(r3).add(h3).reduceLanes(VectorOperators.ADD);
    }
    static int pair256(int[] w, short[] x) {
        IntVector z = IntVector.zero(I256);
        IntVector r0=z,h0=z,r1=z,h1=z,r2=z,h2=z,r3=z,h3=z, q0=z,g0=z,q1=z,g1=z,q2=z,g2=z,q3=z,g3=z;
        for (int j = 0; j < K/2; j++) {
            ShortVector xv = ShortVector.fromArray(S256, x, j*32), xw = ShortVector.fromArray(S256, x, j*32+16);
            ShortVector wv; IntVector p;
            wv = IntVector.broadcast(I256, w[j*4]).reinterpretAsShorts();
            p = wv.mul(xv).reinterpretAsInts(); r0=r0.add(p); h0=h0.add(p.lanewise(VectorOperators.LSHR,16));
            p = wv.mul(xw).reinterpretAsInts(); q0=q0.add(p); g0=g0.add(p.lanewise(VectorOperators.LSHR,16));
            wv = IntVector.broadcast(I256, w[j*4+1]).reinterpretAsShorts();
            p = wv.mul(xv).reinterpretAsInts(); r1=r1.add(p); h1=h1.add(p.lanewise(VectorOperators.LSHR,16));
            p = wv.mul(xw).reinterpretAsInts(); q1=q1.add(p); g1=g1.add(p.lanewise(VectorOperators.LSHR,16));
            wv = IntVector.broadcast(I256, w[j*4+2]).reinterpretAsShorts();
            p = wv.mul(xv).reinterpretAsInts(); r2=r2.add(p); h2=h2.add(p.lanewise(VectorOperators.LSHR,16));
            p = wv.mul(xw).reinterpretAsInts(); q2=q2.add(p); g2=g2.add(p.lanewise(VectorOperators.LSHR,16));
            wv = IntVector.broadcast(I256, w[j*4+3]).reinterpretAsShorts();
            p = wv.mul(xv).reinterpretAsInts(); r3=r3.add(p); h3=h3.add(p.lanewise(VectorOperators.LSHR,16));
            p = wv.mul(xw).reinterpretAsInts(); q3=q3.add(p); g3=g3.add(p.lanewise(VectorOperators.LSHR,16));
        }
        return r0.add(h0).add(r1).add(h1).add(r2).add(h2).add(r3).add(h3).add(q0).add(g0).add(q1).add(g1).add(q2).add(g2).add(q3).add(g3).reduceLanes(VectorOperators.ADD);
    }
    // scheme a: short products (s8*u8) widened with S2I, 4 rows x 16 pixels
    static int widen(short[] w, short[] x) {
        IntVector z = IntVector.zero(I512);
        IntVector c0=z,c1=z,c2=z,c3=z;
        for (int k = 0; k < K; k++) {
            ShortVector xv = ShortVector.fromArray(S256, x, k*16);
            c0 = c0.add(xv.mul(w[k*4]).convertShape(VectorOperators.S2I, I512, 0));
            c1 = c1.add(xv.mul(w[k*4+1]).convertShape(VectorOperators.S2I, I512, 0));
            c2 = c2.add(xv.mul(w[k*4+2]).convertShape(VectorOperators.S2I, I512, 0));
            c3 = c3.add(xv.mul(w[k*4+3]).convertShape(VectorOperators.S2I, I512, 0));
        }
        return c0.add(c1).add(c2).add(c3).reduceLanes(VectorOperators.ADD);
    }
    // scheme b: s8*s8, two products summed in int16 before one widening
    static int widen2(short[] w, short[] x) {
        IntVector z = IntVector.zero(I512);
        IntVector c0=z,c1=z,c2=z,c3=z;
        for (int k = 0; k < K; k+=2) {
            ShortVector xv = ShortVector.fromArray(S256, x, k*16), xu = ShortVector.fromArray(S256, x, k*16+16);
            c0 = c0.add(xv.mul(w[k*4]).add(xu.mul(w[k*4+4])).convertShape(VectorOperators.S2I, I512, 0));
            c1 = c1.add(xv.mul(w[k*4+1]).add(xu.mul(w[k*4+5])).convertShape(VectorOperators.S2I, I512, 0));
            c2 = c2.add(xv.mul(w[k*4+2]).add(xu.mul(w[k*4+6])).convertShape(VectorOperators.S2I, I512, 0));
            c3 = c3.add(xv.mul(w[k*4+3]).add(xu.mul(w[k*4+7])).convertShape(VectorOperators.S2I, I512, 0));
        }
        return c0.add(c1).add(c2).add(c3).reduceLanes(VectorOperators.ADD);
    }
    // c: C2 superword MulAddS2I
    static void autovec(short[] a, short[] b, int[] c) {
        for (int i = 0; i < c.length; i++) c[i] += a[2*i]*b[2*i] + a[2*i+1]*b[2*i+1];
    }
    // GEMV: fp32 vs int8 bytes
    static float gemvF(float[] w, float[] x, int n, int k) {
        float t = 0;
        for (int r = 0; r < n; r++) { FloatVector acc = FloatVector.zero(F); int o = r*k;
            for (int p = 0; p < k; p += 8) acc = FloatVector.fromArray(F, w, o+p).fma(FloatVector.fromArray(F, x, p), acc);
            t += acc.reduceLanes(VectorOperators.ADD); }
        return t;
    }
    static int gemvB(byte[] w, short[] x, int n, int k) {
        int t = 0;
        for (int r = 0; r < n; r++) { IntVector acc = IntVector.zero(I512); int o = r*k;
            for (int p = 0; p < k; p += 16) {
                ShortVector wv = (ShortVector) ByteVector.fromArray(B128, w, o+p).convertShape(VectorOperators.B2S, S256, 0);
                acc = acc.add(wv.mul(ShortVector.fromArray(S256, x, p)).convertShape(VectorOperators.S2I, I512, 0));
            }
            t += acc.reduceLanes(VectorOperators.ADD); }
        return t;
    }
    static int gemvB2(byte[] w, short[] x, int n, int k) {
        int t = 0;
        for (int r = 0; r < n; r++) { IntVector acc = IntVector.zero(I512); int o = r*k;
            for (int p = 0; p < k; p += 32) {
                ShortVector w0 = (ShortVector) ByteVector.fromArray(B128, w, o+p).convertShape(VectorOperators.B2S, S256, 0);
                ShortVector w1 = (ShortVector) ByteVector.fromArray(B128, w, o+p+16).convertShape(VectorOperators.B2S, S256, 0);
                ShortVector s = w0.mul(ShortVector.fromArray(S256, x, p)).add(w1.mul(ShortVector.fromArray(S256, x, p+16)));
                acc = acc.add(s.convertShape(VectorOperators.S2I, I512, 0));
            }
            t += acc.reduceLanes(VectorOperators.ADD); }
        return t;
    }
    public static void main(String[] args) {
        java.util.Random r = new java.util.Random(1);
        float[] a = new float[K*4], b = new float[K*16], c = new float[64];
        int[] wp = new int[K*2]; short[] xp = new short[K*16*2]; short[] ws = new short[K*8];
        for (int i=0;i<a.length;i++) a[i]=r.nextFloat(); for (int i=0;i<b.length;i++) b[i]=r.nextFloat();
        for (int i=0;i<wp.length;i++) wp[i]=r.nextInt(256)|(r.nextInt(256)<<16); for (int i=0;i<xp.length;i++) xp[i]=(short)r.nextInt(256);
        for (int i=0;i<ws.length;i++) ws[i]=(short)(r.nextInt(255)-127);
        long macs = (long)K*4*16;
        for (int rep = 0; rep < 3; rep++) {
            double s=0; long t0=System.nanoTime(); for (int i=0;i<20000;i++) s+=fp32(a,b,c); long t1=System.nanoTime();
            System.out.printf("fp32 fma 4x16: %.2f MAC/ns%n", macs*20000.0/(t1-t0));
            t0=System.nanoTime(); for (int i=0;i<20000;i++) s+=pair512(wp,xp); t1=System.nanoTime();
            System.out.printf("u8 pair trick 512 4x16: %.2f MAC/ns%n", macs*20000.0/(t1-t0));
            t0=System.nanoTime(); for (int i=0;i<10000;i++) s+=pair256(wp,xp); t1=System.nanoTime();
            System.out.printf("u8 pair trick 256 4x16(2vec): %.2f MAC/ns%n", macs*10000.0/(t1-t0));
            t0=System.nanoTime(); for (int i=0;i<20000;i++) s+=widen(ws,xp); t1=System.nanoTime();
            System.out.printf("(a) s16 mul + S2I 4x16: %.2f MAC/ns%n", macs*20000.0/(t1-t0));
            t0=System.nanoTime(); for (int i=0;i<20000;i++) s+=widen2(ws,xp); t1=System.nanoTime();
            System.out.printf("(b) 2 s16 mul summed + S2I 4x16: %.2f MAC/ns%n", macs*20000.0/(t1-t0));
            int[] cc = new int[4096]; short[] aa = new short[8192], bb = new short[8192];
            t0=System.nanoTime(); for (int i=0;i<20000;i++) autovec(aa,bb,cc); t1=System.nanoTime();
            System.out.printf("(c) autovec MulAddS2I: %.2f MAC/ns%n", 8192*20000.0/(t1-t0));
            int n=4096, k=4096; float[] wf = new float[n*k]; byte[] wb = new byte[n*k]; float[] xf = new float[k]; short[] xs = new short[k];
            r.nextBytes(wb);
            t0=System.nanoTime(); for (int i=0;i<10;i++) s+=gemvF(wf,xf,n,k); t1=System.nanoTime();
            System.out.printf("gemv fp32 4096x4096: %.2f ms%n", (t1-t0)/10/1e6);
            t0=System.nanoTime(); for (int i=0;i<10;i++) s+=gemvB(wb,xs,n,k); t1=System.nanoTime();
            System.out.printf("gemv int8 bytes (B2S, mul, S2I): %.2f ms%n", (t1-t0)/10/1e6);
            t0=System.nanoTime(); for (int i=0;i<10;i++) s+=gemvB2(wb,xs,n,k); t1=System.nanoTime();
            System.out.printf("gemv int8 bytes (2 products per S2I): %.2f ms%n", (t1-t0)/10/1e6);
            System.out.println(s);
        }
    }
}
