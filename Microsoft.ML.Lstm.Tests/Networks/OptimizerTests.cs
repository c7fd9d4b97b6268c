using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Tests.Networks;

public class OptimizerTests
{
    [Fact]
    public void AdamFirstTwoStepsMatchTheFormula()
    {
        var adam = new AdamOptimizer<double>(1, learningRate: 0.1);
        double[] p = [1.0];
        adam.Step(p, [0.5]);
        // Step 1: m̂ = g, v̂ = g², so the update is lr·g/(|g| + ε) ≈ lr.
        Assert.Equal(1.0 - 0.1 * 0.5 / (0.5 + 1e-8), p[0], 12);
        adam.Step(p, [-1.0]);
        double m = 0.9 * 0.05 + 0.1 * -1.0, v = 0.999 * 0.00025 + 0.001 * 1.0;
        double mHat = m / (1 - 0.81), vHat = v / (1 - 0.999 * 0.999);
        Assert.Equal(1.0 - 0.1 * 0.5 / (0.5 + 1e-8) - 0.1 * mHat / (Math.Sqrt(vHat) + 1e-8), p[0], 10);
    }

    [Fact]
    public void AdamGivesEveryParameterTheSameBitsWhetherInAVectorOrInTheTail()
    {
        // 37 parameters: whole vectors and a scalar tail. Parameter i alone in a one-parameter optimizer runs the
        // scalar loop only; every parameter must come out the same as inside the big one.
        const int count = 37;
        var random = new Random(5);
        float[] start = Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        float[][] gradients = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray()).ToArray();
        var together = new AdamOptimizer<float>(count, learningRate: 0.01, weightDecay: 0.1);
        float[] p = (float[])start.Clone();
        foreach (float[] g in gradients)
            together.Step(p, g);
        for (int i = 0; i < count; i++)
        {
            var alone = new AdamOptimizer<float>(1, learningRate: 0.01, weightDecay: 0.1);
            float[] q = [start[i]];
            foreach (float[] g in gradients)
                alone.Step(q, [g[i]]);
            Assert.Equal(BitConverter.SingleToInt32Bits(q[0]), BitConverter.SingleToInt32Bits(p[i]));
            Assert.NotEqual(start[i], p[i]);
        }
    }

    [Fact]
    public void AdamWeightDecayIsDecoupledFromTheGradient()
    {
        var adam = new AdamOptimizer<double>(1, learningRate: 0.1, weightDecay: 0.5);
        double[] p = [2.0];
        adam.Step(p, [0.0]);
        // With a zero gradient only the decay acts: p ← p·(1 − lr·λ).
        Assert.Equal(2.0 * (1 - 0.05), p[0], 12);
    }

    [Fact]
    public void SgdWithMomentumFollowsPyTorch()
    {
        var sgd = new SgdOptimizer<double>(1, learningRate: 0.1, momentum: 0.9, weightDecay: 0.01);
        double[] p = [1.0];
        sgd.Step(p, [0.5]);
        double b = 0.5 + 0.01 * 1.0;
        double expected = 1.0 - 0.1 * b;
        Assert.Equal(expected, p[0], 12);
        sgd.Step(p, [0.2]);
        b = 0.9 * b + 0.2 + 0.01 * expected;
        Assert.Equal(expected - 0.1 * b, p[0], 12);
    }

    [Fact]
    public void ClippingScalesTheGlobalNormToTheLimit()
    {
        double[] gradients = [3, 4, 0, 12];
        double norm = GradientClipping.ClipByGlobalNorm<double>(gradients, 6.5);
        Assert.Equal(13, norm, 12);
        Assert.Equal(6.5, Math.Sqrt(gradients.Sum(g => g * g)), 12);
        Assert.Equal([1.5, 2, 0, 6], gradients);
    }

    [Fact]
    public void ClippingLeavesSmallGradientsAlone()
    {
        double[] gradients = [0.3, 0.4];
        Assert.Equal(0.5, GradientClipping.ClipByGlobalNorm<double>(gradients, 1), 12);
        Assert.Equal([0.3, 0.4], gradients);
    }

    [Fact]
    public void L2AddsLambdaTimesTheWeights()
    {
        double[] gradients = [1, 1];
        Regularization.AddL2<double>([2, -4], gradients, 0.5);
        Assert.Equal([2, -1], gradients);
    }

    [Fact]
    public void PlateauScheduleReducesAfterPatienceRunsOut()
    {
        var schedule = new ReduceLearningRateOnPlateau(factor: 0.5, patience: 2, minimum: 0.01);
        double rate = 0.1;
        rate = schedule.Update(1.0, rate); // improvement
        rate = schedule.Update(1.0, rate); // 1 bad epoch
        rate = schedule.Update(1.0, rate); // 2 bad epochs
        Assert.Equal(0.1, rate);
        rate = schedule.Update(1.0, rate); // 3rd: patience exceeded
        Assert.Equal(0.05, rate);
        for (int i = 0; i < 20; i++)
            rate = schedule.Update(1.0, rate);
        Assert.Equal(0.01, rate);
    }
}
