namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// What a prediction transformer needs from a trained network: raw outputs for one sequence, and
/// a way to write itself into the model file. <see cref="SequenceModelScorer"/> puts the engine's
/// trained model behind it; <see cref="MeanOfStepsScorer"/> is a stand-in with a known answer for
/// the transformer tests.
/// </summary>
/// <remarks>
/// <para>Outputs are raw network outputs: one logit for binary classification, K logits for K
/// classes, one value for regression. The transformer turns them into ML.NET's columns.</para>
/// <para>ML.NET may score several cursors at once, so <c>Score</c> must be safe to call from
/// several threads at the same time.</para>
/// </remarks>
internal interface ISequenceScorer
{
    /// <summary>The name written into the model file; <see cref="SequenceScorerFormats"/> maps it back to a loader.</summary>
    string FormatName { get; }

    /// <summary>Number of raw outputs per sequence.</summary>
    int OutputSize { get; }

    /// <summary>Scores a sequence of token indices (0-based) into <paramref name="output"/> [<see cref="OutputSize"/>].</summary>
    void Score(ReadOnlySpan<int> tokens, Span<float> output);

    /// <summary>
    /// Scores a sequence of feature vectors laid out step after step,
    /// <paramref name="featureSteps"/> [steps·featuresPerStep], into <paramref name="output"/> [<see cref="OutputSize"/>].
    /// </summary>
    void Score(ReadOnlySpan<float> featureSteps, int featuresPerStep, Span<float> output);

    /// <summary>Writes everything needed to score again; read back by the loader registered for <see cref="FormatName"/>.</summary>
    void Save(Stream stream);
}
