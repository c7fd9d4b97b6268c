using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm;

// Compressed scoring (WeightPrecisionExtensions) and scoring threads (ScoringThreadsExtensions): each task makes a copy of
// itself around another model of the same network.
public abstract partial class SequencePredictionTransformerBase
{
    /// <summary>How the network's recurrent weights are stored and run (<see cref="WeightPrecisionExtensions"/>); <see cref="WeightPrecision.Float32"/> as trained.</summary>
    public WeightPrecision WeightPrecision => WeightPrecisionExtensions.PrecisionOf(Model.WeightFormat);

    /// <summary>
    /// Threads each row or <c>PredictionEngine</c> call is scored on (<see cref="ScoringThreadsExtensions"/>); 1, the
    /// default, as trained and as loaded. Not saved with the model.
    /// </summary>
    public int ScoringThreads => ScoringModel.ScoringThreads;

    /// <summary>The model that scores rows (<see cref="ScoringModel"/>), for the tests of the threads it scores on.</summary>
    internal SequenceModel RowScoringModel => ScoringModel;

    /// <summary>A transformer of this task, columns and extras around <paramref name="model"/> (the same network, its weights stored another way or scored on other threads).</summary>
    private protected abstract SequencePredictionTransformerBase WithModelCore(SequenceModel model);

    /// <summary>See <see cref="WithModelCore"/>; the result has this transformer's own type.</summary>
    internal SequencePredictionTransformerBase WithModel(SequenceModel model) => WithModelCore(model);
}
