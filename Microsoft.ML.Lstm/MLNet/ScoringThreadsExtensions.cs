using Microsoft.ML.Lstm.MLNetInternals;

namespace Microsoft.ML.Lstm;

/// <summary>
/// Scoring threads: a trained transformer whose every row (a <c>Transform</c> cursor's row, a <c>PredictionEngine</c>
/// call, a forecast) is scored on several threads, for a service that waits on one long sequence at a time and has
/// cores to spare. The predictions are the same bits for any number of threads.
/// </summary>
/// <remarks>
/// <para>
/// By default a row is scored on one thread, and concurrency comes from scoring many rows at once (one
/// <c>PredictionEngine</c> per request thread, or a <c>Transform</c> cursor, which scores the rows ahead of it in
/// batches, one per core), which is what a busy service wants: its cores are already taken by other requests. With
/// scoring threads, one sequence is split over them instead: each step's hidden units are cut into parts of at least 16
/// units (so a layer of H units uses at most H / 16 threads), each part's weights kept in its own core's cache, the
/// threads meeting once per step; the two directions of a bidirectional layer run side by side, each on half of the
/// threads. The unit split pays on long sequences of wide layers (hundreds of steps,
/// 64 units and more); a layer given less work than the package's matrix products hand two threads (a few million
/// multiply-adds: fewer than 128 steps of a 64-unit LSTM over 64 inputs) runs on one thread. The threads are the package's own workers, which spin briefly between steps; when one of them is not running
/// (more runnable threads than cores), the caller takes its share and the next calls run on the caller alone, so an
/// oversubscribed machine costs little, but scoring threads on a machine with no idle core gain nothing.
/// <c>benchmarks/RESULTS.md</c> ("Scoring threads") has the figures measured.
/// </para>
/// <para>
/// The choice belongs to the process that scores, not to the model: it is not saved with
/// <c>mlContext.Model.Save</c>, and a loaded model scores on one thread until given threads again (as ONNX Runtime's
/// thread counts in ML.NET's <c>OnnxOptions</c> are not part of the model). The thread safety of a fitted transformer is
/// unchanged: each <c>PredictionEngine</c> and each cursor scores with its own copy of the network's buffers, so
/// <c>k</c> engines scoring at once use up to <c>k</c> × the scoring threads.
/// </para>
/// </remarks>
public static class ScoringThreadsExtensions
{
    /// <summary>
    /// A copy of <paramref name="transformer"/> (a classifier, regressor, tagger or featurizer of this package) that scores
    /// each row on up to <paramref name="numberOfThreads"/> threads (<see cref="SequencePredictionTransformerBase.ScoringThreads"/>).
    /// </summary>
    /// <typeparam name="TTransformer">The transformer's type, which the copy has too.</typeparam>
    /// <param name="transformer">A trained transformer; not changed.</param>
    /// <param name="numberOfThreads">At least 1; 1 (the default of every transformer) scores on the calling thread alone.</param>
    /// <returns>A new transformer of the same type, network, columns and weight precision, sharing the weights.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="transformer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numberOfThreads"/> is less than 1.</exception>
    public static TTransformer WithScoringThreads<TTransformer>(this TTransformer transformer, int numberOfThreads)
        where TTransformer : SequencePredictionTransformerBase
    {
        ArgumentNullException.ThrowIfNull(transformer);
        CheckThreads(numberOfThreads);
        return (TTransformer)transformer.WithModel(transformer.Model.WithScoringThreads(numberOfThreads));
    }

    /// <summary>A copy of a forecaster that scores each forecast (in <c>Transform</c> and its forecasting engine) on up to <paramref name="numberOfThreads"/> threads.</summary>
    /// <param name="transformer">A trained forecaster; not changed.</param>
    /// <param name="numberOfThreads">As for the other transformers (<see cref="WithScoringThreads{TTransformer}(TTransformer, int)"/>).</param>
    /// <returns>A new forecaster with the same network, columns, windows and intervals, sharing the weights.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="transformer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numberOfThreads"/> is less than 1.</exception>
    public static LstmForecastingTransformer WithScoringThreads(this LstmForecastingTransformer transformer, int numberOfThreads)
    {
        ArgumentNullException.ThrowIfNull(transformer);
        CheckThreads(numberOfThreads);
        return transformer.WithModel(transformer.Model.WithScoringThreads(numberOfThreads));
    }

    /// <summary>
    /// A copy of a fitted pipeline, as <c>Fit</c> or <c>mlContext.Model.Load</c> gives it (a <c>TransformerChain</c>, nested
    /// chains included), in which every transformer of this package scores on up to <paramref name="numberOfThreads"/>
    /// threads; a transformer of this package on its own works too.
    /// </summary>
    /// <param name="model">A fitted pipeline holding at least one transformer of this package; not changed.</param>
    /// <param name="numberOfThreads">As for the transformers (<see cref="WithScoringThreads{TTransformer}(TTransformer, int)"/>).</param>
    /// <returns>
    /// A new chain with the same transformers in the same order and scopes (a <c>TransformerChain&lt;ITransformer&gt;</c>),
    /// this package's replaced by copies and the others shared with <paramref name="model"/>; or, for a transformer of this
    /// package, its copy.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numberOfThreads"/> is less than 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="model"/> holds no transformer of this package.</exception>
    public static ITransformer WithScoringThreads(this ITransformer model, int numberOfThreads)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckThreads(numberOfThreads);
        int replaced = 0;
        ITransformer result = TransformerChains.Map(model, transformer => transformer switch
        {
            SequencePredictionTransformerBase sequence => Counted(ref replaced, sequence.WithScoringThreads(numberOfThreads)),
            LstmForecastingTransformer forecaster => Counted(ref replaced, forecaster.WithScoringThreads(numberOfThreads)),
            _ => transformer,
        });
        if (replaced == 0)
            throw new ArgumentException($"The model ({model.GetType().Name}) holds no Microsoft.ML.Lstm transformer to give scoring threads to.", nameof(model));
        return result;
    }

    private static ITransformer Counted(ref int count, ITransformer transformer)
    {
        count++;
        return transformer;
    }

    private static void CheckThreads(int numberOfThreads)
    {
        if (numberOfThreads < 1)
            throw new ArgumentOutOfRangeException(nameof(numberOfThreads), numberOfThreads, "Expected at least 1 scoring thread (1 scores on the calling thread alone).");
    }
}
