using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>One sequence (50 steps of 128 features) through an LSTM of hidden 128 on the one-row scoring path.</summary>
internal sealed class SingleSequenceLatency
{
    private readonly SequencePredictor predictor;
    private readonly float[] steps;
    private readonly float[] output;

    public SingleSequenceLatency()
    {
        var spec = new NetworkSpec(
            new EncoderSpec { Input = SequenceInputKind.Features, FeaturesPerStep = 128, HiddenSize = 128 },
            new PooledHeadSpec { OutputSize = 1, Loss = LossKind.SigmoidBinaryCrossEntropy });
        predictor = new SequencePredictor(new SequenceNetwork<float>(spec, seed: 1, threads: 1));
        var random = new Random(2);
        steps = new float[50 * 128];
        for (int i = 0; i < steps.Length; i++)
            steps[i] = (float)(random.NextDouble() * 2 - 1);
        output = new float[1];
    }

    public void Predict() => predictor.Predict(steps, output);
}
