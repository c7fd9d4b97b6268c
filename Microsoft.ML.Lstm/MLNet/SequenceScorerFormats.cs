namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// Maps the format name a model file records to the code that reads the scorer back. A model file
/// names its format: the engine's trained model (<see cref="SequenceModelScorer"/>), and the
/// stand-in with a known answer that the transformer tests use (<see cref="MeanOfStepsScorer"/>).
/// </summary>
internal static class SequenceScorerFormats
{
    private static readonly Dictionary<string, Func<Stream, ISequenceScorer>> LoadersByName = new(StringComparer.Ordinal)
    {
        [SequenceModelScorer.Format] = SequenceModelScorer.Load,
        [MeanOfStepsScorer.Format] = MeanOfStepsScorer.Load,
    };

    /// <summary>Reads a scorer of the named format from <paramref name="payload"/>.</summary>
    /// <exception cref="InvalidDataException">The format is not one this version of the package knows.</exception>
    public static ISequenceScorer Load(string formatName, Stream payload)
    {
        if (!LoadersByName.TryGetValue(formatName, out var load))
        {
            throw new InvalidDataException(
                $"The model holds a sequence network in format '{formatName}', which this version of Microsoft.ML.Lstm cannot read " +
                $"(known formats: {string.Join(", ", LoadersByName.Keys)}).");
        }
        return load(payload);
    }
}
