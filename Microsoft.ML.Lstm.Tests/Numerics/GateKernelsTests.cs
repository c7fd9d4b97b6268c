using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Tests.Numerics;

/// <summary>The vectorized float paths of the gate kernels against their generic scalar path run in double.</summary>
public class GateKernelsTests
{
    private const double Tolerance = 1e-6;

    /// <summary>Hidden sizes such as 29 = 16 + 8 + 4 + 1 run every vector width (512, 256, 128) and the scalar tail on an AVX-512 CPU.</summary>
    public static TheoryData<int, int> Sizes => new() { { 1, 1 }, { 3, 7 }, { 2, 33 }, { 5, 100 }, { 1, 16 }, { 2, 52 }, { 2, 29 }, { 3, 61 } };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void LstmFloatStepsMatchDoubleReference(int batch, int hiddenSize)
    {
        int h4 = 4 * hiddenSize, hs = batch * hiddenSize;
        float[] gates = Random(batch * h4, 1, 4f), previousCell = Random(hs, 2, 2f), cell = new float[hs], hidden = new float[hs];
        double[] gatesD = ToDouble(gates), cellD = new double[hs], hiddenD = new double[hs];
        LstmKernels.ForwardStep<float>(gates, previousCell, cell, hidden, batch, hiddenSize);
        LstmKernels.ForwardStep<double>(gatesD, ToDouble(previousCell), cellD, hiddenD, batch, hiddenSize);
        AssertClose(gatesD, gates);
        AssertClose(cellD, cell);
        AssertClose(hiddenD, hidden);

        float[] outputGradient = Random(hs, 8, 1f), hiddenGradient = Random(hs, 3, 1f), cellGradient = Random(hs, 4, 1f), gateGradients = new float[batch * h4];
        double[] cellGradientD = ToDouble(cellGradient), gateGradientsD = new double[batch * h4];
        LstmKernels.BackwardStep<double>(
            ToDouble(gates), ToDouble(previousCell), ToDouble(cell), ToDouble(outputGradient), ToDouble(hiddenGradient), cellGradientD, gateGradientsD, batch, hiddenSize);
        LstmKernels.BackwardStep<float>(gates, previousCell, cell, outputGradient, hiddenGradient, cellGradient, gateGradients, batch, hiddenSize);
        AssertClose(gateGradientsD, gateGradients);
        AssertClose(cellGradientD, cellGradient);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void PeepholeLstmFloatStepsMatchDoubleReference(int batch, int hiddenSize)
    {
        int h4 = 4 * hiddenSize, hs = batch * hiddenSize;
        float[] gates = Random(batch * h4, 1, 4f), peepholes = Random(3 * hiddenSize, 5, 1f), previousCell = Random(hs, 2, 2f);
        float[] cell = new float[hs], hidden = new float[hs];
        double[] gatesD = ToDouble(gates), cellD = new double[hs], hiddenD = new double[hs];
        PeepholeLstmKernels.ForwardStep<float>(gates, peepholes, previousCell, cell, hidden, batch, hiddenSize);
        PeepholeLstmKernels.ForwardStep<double>(gatesD, ToDouble(peepholes), ToDouble(previousCell), cellD, hiddenD, batch, hiddenSize);
        AssertClose(gatesD, gates);
        AssertClose(cellD, cell);
        AssertClose(hiddenD, hidden);

        float[] outputGradient = Random(hs, 8, 1f), hiddenGradient = Random(hs, 3, 1f), cellGradient = Random(hs, 4, 1f), gateGradients = new float[batch * h4];
        double[] cellGradientD = ToDouble(cellGradient), gateGradientsD = new double[batch * h4];
        PeepholeLstmKernels.BackwardStep<double>(
            ToDouble(gates), ToDouble(peepholes), ToDouble(previousCell), ToDouble(cell), ToDouble(outputGradient), ToDouble(hiddenGradient),
            cellGradientD, gateGradientsD, batch, hiddenSize);
        PeepholeLstmKernels.BackwardStep<float>(gates, peepholes, previousCell, cell, outputGradient, hiddenGradient, cellGradient, gateGradients, batch, hiddenSize);
        AssertClose(gateGradientsD, gateGradients);
        AssertClose(cellGradientD, cellGradient);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void BackwardStepsWrittenOverTheirInputsGiveTheSameBits(int batch, int hiddenSize)
    {
        // The recurrent layer writes each step's gate gradients over its activations.
        int h4 = 4 * hiddenSize, h3 = 3 * hiddenSize, hs = batch * hiddenSize;
        float[] gates = Random(batch * h4, 1, 0.9f).Select(Math.Abs).ToArray(), previousCell = Random(hs, 2, 2f), cell = Random(hs, 3, 2f);
        float[] outputGradient = Random(hs, 8, 1f), hiddenGradient = Random(hs, 4, 1f), peepholes = Random(3 * hiddenSize, 5, 1f);

        float[] cellGradient = Random(hs, 6, 1f), inPlaceCellGradient = (float[])cellGradient.Clone();
        float[] separate = new float[batch * h4], inPlace = (float[])gates.Clone();
        LstmKernels.BackwardStep<float>(gates, previousCell, cell, outputGradient, hiddenGradient, cellGradient, separate, batch, hiddenSize);
        LstmKernels.BackwardStep<float>(inPlace, previousCell, cell, outputGradient, hiddenGradient, inPlaceCellGradient, inPlace, batch, hiddenSize);
        Assert.Equal(separate, inPlace);
        Assert.Equal(cellGradient, inPlaceCellGradient);

        cellGradient = Random(hs, 6, 1f);
        inPlaceCellGradient = (float[])cellGradient.Clone();
        separate = new float[batch * h4];
        inPlace = (float[])gates.Clone();
        PeepholeLstmKernels.BackwardStep<float>(gates, peepholes, previousCell, cell, outputGradient, hiddenGradient, cellGradient, separate, batch, hiddenSize);
        PeepholeLstmKernels.BackwardStep<float>(inPlace, peepholes, previousCell, cell, outputGradient, hiddenGradient, inPlaceCellGradient, inPlace, batch, hiddenSize);
        Assert.Equal(separate, inPlace);
        Assert.Equal(cellGradient, inPlaceCellGradient);

        float[] gruGates = gates.AsSpan(0, batch * h3).ToArray(), projection = Random(batch * h3, 7, 3f);
        // ∂h_{t−1} over ∂h_next too, as the layer writes it.
        float[] dx = new float[batch * h3], dhg = new float[batch * h3], dhPrev = new float[hs], inPlaceDhPrev = (float[])hiddenGradient.Clone();
        float[] dxInPlace = (float[])gruGates.Clone(), dhgInPlace = (float[])projection.Clone();
        GruKernels.BackwardStep<float>(gruGates, projection, previousCell, outputGradient, hiddenGradient, dx, dhg, dhPrev, batch, hiddenSize);
        GruKernels.BackwardStep<float>(dxInPlace, dhgInPlace, previousCell, outputGradient, inPlaceDhPrev, dxInPlace, dhgInPlace, inPlaceDhPrev, batch, hiddenSize);
        Assert.Equal(dx, dxInPlace);
        Assert.Equal(dhg, dhgInPlace);
        Assert.Equal(dhPrev, inPlaceDhPrev);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void GruFloatStepsMatchDoubleReference(int batch, int hiddenSize)
    {
        int h3 = 3 * hiddenSize, hs = batch * hiddenSize;
        float[] inputProjection = Random(batch * h3, 1, 3f), hiddenProjection = Random(batch * h3, 2, 3f), previousHidden = Random(hs, 3, 1f);
        float[] gates = new float[batch * h3], hidden = new float[hs];
        double[] gatesD = new double[batch * h3], hiddenD = new double[hs];
        GruKernels.ForwardStep<float>(inputProjection, hiddenProjection, previousHidden, gates, hidden, batch, hiddenSize);
        GruKernels.ForwardStep<double>(ToDouble(inputProjection), ToDouble(hiddenProjection), ToDouble(previousHidden), gatesD, hiddenD, batch, hiddenSize);
        AssertClose(gatesD, gates);
        AssertClose(hiddenD, hidden);

        float[] outputGradient = Random(hs, 8, 1f), hiddenGradient = Random(hs, 4, 1f), dx = new float[batch * h3], dhg = new float[batch * h3], dhPrev = new float[hs];
        double[] dxD = new double[batch * h3], dhgD = new double[batch * h3], dhPrevD = new double[hs];
        GruKernels.BackwardStep<double>(
            ToDouble(gates), ToDouble(hiddenProjection), ToDouble(previousHidden), ToDouble(outputGradient), ToDouble(hiddenGradient), dxD, dhgD, dhPrevD, batch, hiddenSize);
        GruKernels.BackwardStep<float>(gates, hiddenProjection, previousHidden, outputGradient, hiddenGradient, dx, dhg, dhPrev, batch, hiddenSize);
        AssertClose(dxD, dx);
        AssertClose(dhgD, dhg);
        AssertClose(dhPrevD, dhPrev);
    }

    private static void AssertClose(double[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double bound = Tolerance * Math.Max(1, Math.Abs(expected[i]));
            Assert.True(Math.Abs(actual[i] - expected[i]) <= bound, $"[{i}] = {actual[i]:R}, expected {expected[i]:R}");
        }
    }

    private static double[] ToDouble(float[] values) => values.Select(v => (double)v).ToArray();

    private static float[] Random(int length, int seed, float scale)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)(scale * (2 * random.NextDouble() - 1));
        return values;
    }
}
