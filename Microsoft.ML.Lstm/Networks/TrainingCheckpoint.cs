using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// Everything a training run needs to go on from the end of a batch as if it had never stopped: the weights, the
/// optimizer's buffers and step count, the learning-rate schedule, early stopping's best weights and counters, the
/// epochs' history, and the state of each random source (the shuffle as it was when the epoch began, the dropout masks
/// and token dropout as they are now). Written as a <see cref="ModelFile"/> (one CRC-32), to a temporary file that then
/// replaces the checkpoint in one rename, so a process killed at any moment leaves the previous checkpoint or the new
/// one, never a torn file.
/// </summary>
/// <remarks>
/// A checkpoint names the run it belongs to by a fingerprint (<see cref="FingerprintOf"/>) of the options that change
/// the weights, the data and the network's initial weights: a run with other options or data does not resume from
/// it, and overwrites it.
/// </remarks>
internal sealed class TrainingCheckpoint
{
    private const string StateSection = "checkpoint";
    private const string WeightsSection = "checkpoint.weights";
    private const string OptimizerSection = "checkpoint.optimizer";
    private const string BestWeightsSection = "checkpoint.best";
    private const string HistorySection = "checkpoint.history";
    private const int MaxHistory = 1_000_000;
    private const int MaxOptimizerBuffers = 4;

    /// <summary>The run this checkpoint belongs to.</summary>
    public required ulong Fingerprint { get; init; }

    /// <summary>The epoch under way (1-based).</summary>
    public required int Epoch { get; init; }

    /// <summary>Batches of <see cref="Epoch"/> already done.</summary>
    public required int BatchesDone { get; init; }

    /// <summary>The sum of those batches' losses.</summary>
    public required double LossSum { get; init; }

    /// <summary>The shuffle's random state when <see cref="Epoch"/> began, before its batches were planned.</summary>
    public required int[] ShuffleState { get; init; }

    /// <summary>The dropout masks' random state now.</summary>
    public required int[] DropoutState { get; init; }

    /// <summary>Token dropout's random state now; null without token dropout.</summary>
    public required int[]? TokenDropoutState { get; init; }

    /// <summary>The optimizer's learning rate and step count.</summary>
    public required double LearningRate { get; init; }

    /// <inheritdoc cref="LearningRate"/>
    public required int OptimizerSteps { get; init; }

    /// <summary>Every weight.</summary>
    public required float[] Weights { get; init; }

    /// <summary>The optimizer's buffers, each as long as <see cref="Weights"/>.</summary>
    public required float[][] OptimizerState { get; init; }

    /// <summary>Early stopping's best weights so far; null before any.</summary>
    public required float[]? BestWeights { get; init; }

    /// <summary>Early stopping's counters.</summary>
    public required (double Loss, double Score, int Epoch, int EpochsWithoutImprovement) Best { get; init; }

    /// <summary>The learning-rate schedule's state.</summary>
    public required (double Best, int BadEpochs) Schedule { get; init; }

    /// <summary>Training time before this checkpoint, so that reports go on counting.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>The report of each finished epoch.</summary>
    public required IReadOnlyList<TrainingProgress> History { get; init; }

    /// <summary>
    /// A fingerprint of a run: the options that change the weights, the examples, and the network's weights before
    /// training (which stand for its architecture, its seed and any pretrained vectors).
    /// </summary>
    public static ulong FingerprintOf(TrainingOptions options, ReadOnlySpan<float> initialWeights,
        IReadOnlyList<SequenceExample> training, IReadOnlyList<SequenceExample>? validation)
    {
        var hash = new XxHash64();
        var writer = new ModelSectionWriter("fingerprint");
        writer.WriteInt32(options.Epochs);
        writer.WriteInt32(options.BatchSize);
        writer.WriteDouble(options.LearningRate);
        writer.WriteInt32((int)options.Optimizer);
        writer.WriteDouble(options.Momentum);
        writer.WriteDouble(options.WeightDecay);
        writer.WriteDouble(options.L2);
        writer.WriteDouble(options.GradientClipNorm);
        writer.WriteInt32(options.EarlyStoppingPatience);
        writer.WriteDouble(options.ValidationFraction);
        writer.WriteDouble(options.LearningRateDecayFactor);
        writer.WriteInt32(options.LearningRateDecayPatience);
        writer.WriteDouble(options.MinimumLearningRate);
        writer.WriteBoolean(options.BucketByLength);
        writer.WriteInt32(options.Seed);
        writer.WriteInt32(options.Threads);
        writer.WriteBoolean(options.ValidationScore is not null);
        writer.WriteDouble(options.TokenDropout?.Probability ?? -1);
        if (options.EncoderLearningRateScale != 1 || options.EncoderFrozenEpochs != 0) // absent by default: older fingerprints stay as they were
        {
            writer.WriteDouble(options.EncoderLearningRateScale);
            writer.WriteInt32(options.EncoderFrozenEpochs);
        }
        hash.Append(writer.WrittenBytes);
        hash.Append(MemoryMarshal.AsBytes(initialWeights));
        AppendExamples(hash, training);
        hash.Append([validation is null ? (byte)0 : (byte)1]);
        if (validation is not null)
            AppendExamples(hash, validation);
        return hash.GetCurrentHashAsUInt64();
    }

    private static void AppendExamples(XxHash64 hash, IReadOnlyList<SequenceExample> examples)
    {
        Span<byte> count = stackalloc byte[4];
        foreach (SequenceExample example in examples)
        {
            AppendArray(hash, example.Tokens.AsSpan(), count);
            AppendArray(hash, example.Features.AsSpan(), count);
            AppendArray(hash, example.ExtraFeatures.AsSpan(), count);
            AppendArray(hash, example.Targets.AsSpan(), count);
            BitConverter.TryWriteBytes(count, example.Characters?.Length ?? -1);
            hash.Append(count);
            foreach (int[] characters in example.Characters ?? [])
                AppendArray(hash, characters.AsSpan(), count);
        }
    }

    private static void AppendArray<TValue>(XxHash64 hash, ReadOnlySpan<TValue> values, Span<byte> count) where TValue : unmanaged
    {
        BitConverter.TryWriteBytes(count, values.Length);
        hash.Append(count);
        hash.Append(MemoryMarshal.AsBytes(values));
    }

    /// <summary>Writes the checkpoint to <paramref name="path"/>: to a temporary file beside it, flushed to disk, then renamed over it.</summary>
    public void Write(string path)
    {
        var file = new ModelFileWriter();
        ModelSectionWriter state = file.Section(StateSection);
        state.WriteInt64((long)Fingerprint);
        state.WriteInt32(Epoch);
        state.WriteInt32(BatchesDone);
        state.WriteDouble(LossSum);
        WriteInts(state, ShuffleState);
        WriteInts(state, DropoutState);
        state.WriteBoolean(TokenDropoutState is not null);
        if (TokenDropoutState is not null)
            WriteInts(state, TokenDropoutState);
        state.WriteDouble(LearningRate);
        state.WriteInt32(OptimizerSteps);
        state.WriteDouble(Best.Loss);
        state.WriteDouble(Best.Score);
        state.WriteInt32(Best.Epoch);
        state.WriteInt32(Best.EpochsWithoutImprovement);
        state.WriteDouble(Schedule.Best);
        state.WriteInt32(Schedule.BadEpochs);
        state.WriteInt64(Elapsed.Ticks);

        ModelSectionWriter weights = file.Section(WeightsSection);
        weights.WriteInt32(Weights.Length);
        weights.WriteFloats(Weights);
        ModelSectionWriter optimizer = file.Section(OptimizerSection);
        optimizer.WriteInt32(OptimizerState.Length);
        foreach (float[] buffer in OptimizerState)
            optimizer.WriteFloats(buffer);
        if (BestWeights is not null)
            file.Section(BestWeightsSection).WriteFloats(BestWeights);
        ModelSectionWriter history = file.Section(HistorySection);
        history.WriteInt32(History.Count);
        foreach (TrainingProgress report in History)
            WriteReport(history, report);

        string partial = path + ".partial";
        using (var stream = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.WriteTo(stream);
            stream.Flush(flushToDisk: true);
        }
        File.Move(partial, path, overwrite: true);
    }

    /// <summary>
    /// The checkpoint at <paramref name="path"/> when it belongs to the run of <paramref name="fingerprint"/> with
    /// <paramref name="parameterCount"/> weights; null, with the reason, when there is none, it is damaged or it is another run's.
    /// </summary>
    public static TrainingCheckpoint? TryRead(string path, ulong fingerprint, int parameterCount, out string? reason)
    {
        reason = null;
        if (!File.Exists(path))
            return null;
        try
        {
            using var stream = File.OpenRead(path);
            ModelFile file = ModelFile.Read(stream, maxBytes: Array.MaxLength);
            ModelSectionReader state = file.Open(StateSection);
            ulong saved = (ulong)state.ReadInt64("the run's fingerprint", long.MinValue, long.MaxValue);
            if (saved != fingerprint)
            {
                reason = "it belongs to a run with other options, data or network";
                return null;
            }
            int epoch = state.ReadInt32("the epoch", 1, int.MaxValue);
            int batchesDone = state.ReadInt32("the batches done", 0, int.MaxValue);
            double lossSum = state.ReadDouble("the loss so far", double.MinValue, double.MaxValue);
            int[] shuffle = ReadInts(state, "the shuffle's state");
            int[] dropout = ReadInts(state, "the dropout's state");
            int[]? tokenDropout = state.ReadBoolean("whether token dropout has a state") ? ReadInts(state, "token dropout's state") : null;
            double learningRate = state.ReadDouble("the learning rate", 0, double.MaxValue);
            int steps = state.ReadInt32("the optimizer's steps", 0, int.MaxValue);
            var best = (state.ReadDouble("the best loss", double.NegativeInfinity, double.PositiveInfinity),
                state.ReadDouble("the best score", double.NegativeInfinity, double.PositiveInfinity),
                state.ReadInt32("the best epoch", 0, int.MaxValue), state.ReadInt32("the epochs without improvement", 0, int.MaxValue));
            var schedule = (state.ReadDouble("the schedule's best", double.NegativeInfinity, double.PositiveInfinity),
                state.ReadInt32("the schedule's bad epochs", 0, int.MaxValue));
            var elapsed = TimeSpan.FromTicks(state.ReadInt64("the time elapsed", 0, long.MaxValue));
            state.ExpectEnd();

            ModelSectionReader weightsSection = file.Open(WeightsSection);
            weightsSection.ReadInt32("the weight count", parameterCount, parameterCount);
            float[] weights = weightsSection.ReadFloats("the weights", parameterCount);
            weightsSection.ExpectEnd();
            ModelSectionReader optimizerSection = file.Open(OptimizerSection);
            int buffers = optimizerSection.ReadInt32("the optimizer's buffer count", 0, MaxOptimizerBuffers);
            var optimizerState = new float[buffers][];
            for (int i = 0; i < buffers; i++)
                optimizerState[i] = optimizerSection.ReadFloats("an optimizer buffer", parameterCount);
            optimizerSection.ExpectEnd();
            float[]? bestWeights = null;
            if (file.Contains(BestWeightsSection))
            {
                ModelSectionReader bestSection = file.Open(BestWeightsSection);
                bestWeights = bestSection.ReadFloats("the best weights", parameterCount);
                bestSection.ExpectEnd();
            }
            ModelSectionReader historySection = file.Open(HistorySection);
            int reports = historySection.ReadCount("epoch reports", MaxHistory, 8);
            var history = new List<TrainingProgress>(reports);
            for (int i = 0; i < reports; i++)
                history.Add(ReadReport(historySection));
            historySection.ExpectEnd();

            return new TrainingCheckpoint
            {
                Fingerprint = saved, Epoch = epoch, BatchesDone = batchesDone, LossSum = lossSum,
                ShuffleState = shuffle, DropoutState = dropout, TokenDropoutState = tokenDropout,
                LearningRate = learningRate, OptimizerSteps = steps, Weights = weights, OptimizerState = optimizerState,
                BestWeights = bestWeights, Best = best, Schedule = schedule, Elapsed = elapsed, History = history,
            };
        }
        catch (InvalidDataException error)
        {
            reason = $"it is damaged ({error.Message})";
            return null;
        }
        catch (IOException error)
        {
            reason = $"it could not be read ({error.Message})";
            return null;
        }
    }

    private static void WriteInts(ModelSectionWriter section, int[] values)
    {
        section.WriteInt32(values.Length);
        foreach (int value in values)
            section.WriteInt32(value);
    }

    private static int[] ReadInts(ModelSectionReader section, string what)
    {
        int count = section.ReadInt32(what, ResumableRandom.StateLength, ResumableRandom.StateLength);
        var values = new int[count];
        for (int i = 0; i < count; i++)
            values[i] = section.ReadInt32(what, int.MinValue, int.MaxValue);
        return values;
    }

    private static void WriteReport(ModelSectionWriter section, TrainingProgress report)
    {
        section.WriteInt32(report.Epoch);
        section.WriteInt32(report.Epochs);
        section.WriteDouble(report.TrainingLoss);
        WriteOptional(section, report.ValidationLoss);
        WriteOptional(section, report.ValidationAccuracy);
        section.WriteDouble(report.LearningRate);
        section.WriteInt64(report.Elapsed.Ticks);
        section.WriteInt64(report.EstimatedRemaining.Ticks);
        WriteOptional(section, report.ValidationScore);
    }

    private static void WriteOptional(ModelSectionWriter section, double? value)
    {
        section.WriteBoolean(value.HasValue);
        if (value is double present)
            section.WriteDouble(present);
    }

    private static double? ReadOptional(ModelSectionReader section, string what) =>
        section.ReadBoolean("whether there is " + what) ? section.ReadDouble(what, double.MinValue, double.MaxValue) : null;

    private static TrainingProgress ReadReport(ModelSectionReader section)
    {
        int epoch = section.ReadInt32("an epoch", 1, int.MaxValue);
        int epochs = section.ReadInt32("the epochs", 1, int.MaxValue);
        double loss = section.ReadDouble("a training loss", double.MinValue, double.MaxValue);
        double? validationLoss = ReadOptional(section, "a validation loss");
        double? accuracy = ReadOptional(section, "a validation accuracy");
        double learningRate = section.ReadDouble("a learning rate", 0, double.MaxValue);
        var elapsed = TimeSpan.FromTicks(section.ReadInt64("a time", 0, long.MaxValue));
        var remaining = TimeSpan.FromTicks(section.ReadInt64("a time", 0, long.MaxValue));
        double? score = ReadOptional(section, "a validation score");
        return new TrainingProgress(epoch, epochs, loss, validationLoss, accuracy, learningRate, elapsed, remaining) { ValidationScore = score };
    }
}
