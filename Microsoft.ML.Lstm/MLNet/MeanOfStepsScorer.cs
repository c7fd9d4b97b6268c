namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// A stand-in network with a known answer, used until the engine's sequence model is plugged in:
/// output[j] = bias[j] + weight[j] · mean(sequence), where the mean runs over every token index or
/// every feature value of the sequence. It proves the ML.NET plumbing (columns, saving, loading)
/// on its own.
/// </summary>
internal sealed class MeanOfStepsScorer : ISequenceScorer
{
    /// <summary>The format name model files record for this scorer.</summary>
    public const string Format = "MeanOfSteps/1";

    private readonly float[] _weights;
    private readonly float[] _biases;

    /// <summary>One output per weight/bias pair.</summary>
    public MeanOfStepsScorer(float[] weights, float[] biases)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(biases);
        if (weights.Length == 0 || weights.Length != biases.Length)
            throw new ArgumentException($"Expected as many weights as biases, at least one; got {weights.Length} and {biases.Length}.");
        _weights = (float[])weights.Clone();
        _biases = (float[])biases.Clone();
    }

    /// <inheritdoc/>
    public string FormatName => Format;

    /// <inheritdoc/>
    public int OutputSize => _weights.Length;

    /// <inheritdoc/>
    public void Score(ReadOnlySpan<int> tokens, Span<float> output)
    {
        double sum = 0;
        foreach (int token in tokens)
            sum += token;
        WriteOutputs((float)(sum / tokens.Length), output);
    }

    /// <inheritdoc/>
    public void Score(ReadOnlySpan<float> featureSteps, int featuresPerStep, Span<float> output)
    {
        double sum = 0;
        foreach (float value in featureSteps)
            sum += value;
        WriteOutputs((float)(sum / featureSteps.Length), output);
    }

    private void WriteOutputs(float mean, Span<float> output)
    {
        for (int j = 0; j < _weights.Length; j++)
            output[j] = _biases[j] + _weights[j] * mean;
    }

    /// <inheritdoc/>
    public void Save(Stream stream)
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(_weights.Length);
        foreach (float weight in _weights)
            writer.Write(weight);
        foreach (float bias in _biases)
            writer.Write(bias);
    }

    /// <summary>Reads what <see cref="Save"/> wrote.</summary>
    public static MeanOfStepsScorer Load(Stream stream)
    {
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        int outputSize = reader.ReadInt32();
        if (outputSize <= 0 || outputSize > 1 << 20)
            throw new InvalidDataException($"Mean-of-steps scorer: output size {outputSize} is out of range.");
        var weights = new float[outputSize];
        var biases = new float[outputSize];
        for (int j = 0; j < outputSize; j++)
            weights[j] = reader.ReadSingle();
        for (int j = 0; j < outputSize; j++)
            biases[j] = reader.ReadSingle();
        return new MeanOfStepsScorer(weights, biases);
    }
}
