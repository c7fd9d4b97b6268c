using System.Diagnostics;
using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// Fits a <see cref="SequenceNetwork{T}"/> (an encoder and any head: the head owns the loss) by minibatch gradient descent: shuffled (and length-bucketed)
/// batches, backpropagation through time, optional L2 and gradient clipping, Adam or SGD, learning rate
/// reduced on plateau, early stopping that restores the best weights (best by the validation loss, or by a score
/// of the validation predictions such as a tagger's span F1), optional token dropout, cancellation between batches
/// and a report per epoch. A NaN or infinite loss stops training with <see cref="TrainingDivergedException"/>.
/// Everything random comes from <see cref="TrainingOptions.Seed"/>, so a seed and thread count give the same weights.
/// </summary>
internal sealed class NetworkTrainer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Sequences per batch when only evaluating; larger batches are faster and need no gradients.</summary>
    private const int EvaluationBatchSize = 256;

    /// <summary>Batches are formed within windows of this many batches' worth of shuffled sequences sorted by length.</summary>
    private const int BucketWindowInBatches = 32;

    /// <summary>The head's parameters are named <c>head.*</c>; every other one is the encoder's.</summary>
    private const string HeadPrefix = "head.";

    private readonly SequenceNetwork<T> network;
    private readonly TrainingOptions options;
    private T[] targetBuffer = Array.Empty<T>();
    private T[]? frozenValues;
    private T[]? encoderValues;
    private ParameterView[]? encoderViews;
    private ResumableRandom? tokenDropoutRandom;

    /// <summary>Prepares to train <paramref name="network"/> with <paramref name="options"/>.</summary>
    public NetworkTrainer(SequenceNetwork<T> network, TrainingOptions options)
    {
        this.network = network;
        this.options = options;
    }

    /// <summary>
    /// Trains the network in place. Without a validation set, <see cref="TrainingOptions.ValidationFraction"/>
    /// of the training examples are held out (chosen by the seed) when it is positive.
    /// </summary>
    public TrainingResult Train(IReadOnlyList<SequenceExample> training, IReadOnlyList<SequenceExample>? validation = null)
    {
        if (training.Count == 0)
            throw new ArgumentException("Training needs at least one example.", nameof(training));
        var random = new ResumableRandom(options.Seed);
        (training, validation) = SplitValidation(training, validation, random);
        if (options.TokenDropout is TokenDropout tokenDropout)
        {
            if (network.Spec.Encoder.Input != SequenceInputKind.Tokens)
                throw new ArgumentException("Token dropout needs a network that reads token ids.", nameof(options));
            tokenDropout.Validate(network.Spec.Encoder.VocabularySize);
            // A source of its own, so that the batches' shuffle is the same with and without it.
            tokenDropoutRandom = new ResumableRandom(unchecked(options.Seed * 31 + 17));
        }
        CheckTargets(training, "training");
        if (validation is not null)
            CheckTargets(validation, "validation");

        ParameterStore<T> parameters = network.Parameters;
        IOptimizer<T> optimizer = CreateOptimizer();
        var schedule = new ReduceLearningRateOnPlateau(options.LearningRateDecayFactor, options.LearningRateDecayPatience, options.MinimumLearningRate);

        var history = new List<TrainingProgress>();
        var clock = Stopwatch.StartNew();
        T[]? bestWeights = null;
        double bestLoss = double.PositiveInfinity;
        double bestScore = double.NegativeInfinity;
        int bestEpoch = 0, epochsWithoutImprovement = 0;
        bool stoppedEarly = false;

        // A checkpoint of this run, when there is one, puts every piece of state back as it was after its last batch.
        string? checkpointPath = options.CheckpointPath;
        ulong fingerprint = 0;
        int startEpoch = 1, batchesToSkip = 0;
        double resumedLossSum = 0;
        TimeSpan elapsedBefore = TimeSpan.Zero, lastCheckpoint = TimeSpan.Zero;
        if (checkpointPath is not null)
        {
            if (typeof(T) != typeof(float))
                throw new NotSupportedException("Training checkpoints hold networks of float.");
            if (network.Random is null)
                throw new InvalidOperationException("Training checkpoints need a network built from a seed: the state of its dropout masks' random source is saved.");
            fingerprint = TrainingCheckpoint.FingerprintOf(options, Floats(parameters.Values), training, validation);
            TrainingCheckpoint? resume = TrainingCheckpoint.TryRead(checkpointPath, fingerprint, parameters.Count, out string? reason);
            if (reason is not null)
                options.Log?.Invoke($"The checkpoint '{checkpointPath}' was set aside: {reason}. Training starts from the beginning and will replace it.");
            if (resume is not null && resume.OptimizerState.Length == optimizer.State.Count && (resume.TokenDropoutState is null) == (tokenDropoutRandom is null))
            {
                resume.Weights.CopyTo(Floats(parameters.Values));
                parameters.MarkChanged();
                optimizer.LearningRate = resume.LearningRate;
                optimizer.StepCount = resume.OptimizerSteps;
                for (int i = 0; i < resume.OptimizerState.Length; i++)
                    resume.OptimizerState[i].CopyTo(Floats(optimizer.State[i]));
                schedule.State = resume.Schedule;
                if (resume.BestWeights is not null)
                {
                    bestWeights = new T[parameters.Count];
                    resume.BestWeights.CopyTo(Floats(bestWeights));
                }
                (bestLoss, bestScore, bestEpoch, epochsWithoutImprovement) = resume.Best;
                history.AddRange(resume.History);
                random.RestoreState(resume.ShuffleState);
                network.Random.RestoreState(resume.DropoutState);
                if (resume.TokenDropoutState is not null)
                    tokenDropoutRandom!.RestoreState(resume.TokenDropoutState);
                (startEpoch, batchesToSkip, resumedLossSum, elapsedBefore) = (resume.Epoch, resume.BatchesDone, resume.LossSum, resume.Elapsed);
                options.Log?.Invoke($"Training resumes from the checkpoint '{checkpointPath}': epoch {startEpoch}, after {batchesToSkip} of its batches.");
            }
        }

        for (int epoch = startEpoch; epoch <= options.Epochs; epoch++)
        {
            double learningRate = optimizer.LearningRate;
            bool resumedEpoch = epoch == startEpoch;
            double lossSum = resumedEpoch ? resumedLossSum : 0;
            int batchNumber = 0;
            int[]? shuffleAtStart = checkpointPath is null ? null : random.SaveState();
            List<int[]> batches = PlanBatches(training, random);
            foreach (int[] batchIndices in batches)
            {
                options.CancellationToken.ThrowIfCancellationRequested();
                batchNumber++;
                if (resumedEpoch && batchNumber <= batchesToSkip)
                    continue;
                SequenceBatch<T> batch = BuildBatch(training, batchIndices, forTraining: true);
                ReadOnlySpan<T> targets = GatherTargets(training, batchIndices);
                BatchObserver?.Invoke(batch, targets.ToArray(), true);
                lossSum += TrainOnBatch(batch, targets, optimizer, epoch, batchNumber);

                if (checkpointPath is not null && clock.Elapsed - lastCheckpoint >= options.CheckpointInterval)
                {
                    new TrainingCheckpoint
                    {
                        Fingerprint = fingerprint, Epoch = epoch, BatchesDone = batchNumber, LossSum = lossSum,
                        ShuffleState = shuffleAtStart!, DropoutState = network.Random!.SaveState(), TokenDropoutState = tokenDropoutRandom?.SaveState(),
                        LearningRate = optimizer.LearningRate, OptimizerSteps = optimizer.StepCount,
                        Weights = Floats(parameters.Values).ToArray(),
                        OptimizerState = [.. optimizer.State.Select(buffer => Floats(buffer).ToArray())],
                        BestWeights = bestWeights is null ? null : Floats(bestWeights).ToArray(),
                        Best = (bestLoss, bestScore, bestEpoch, epochsWithoutImprovement), Schedule = schedule.State,
                        Elapsed = elapsedBefore + clock.Elapsed, History = history,
                    }.Write(checkpointPath);
                    lastCheckpoint = clock.Elapsed;
                }
                options.BatchDone?.Invoke(epoch, batchNumber);
            }

            double trainingLoss = lossSum / batches.Count;
            (double Loss, double? Accuracy)? evaluation = validation is null ? null : Evaluate(validation);
            double monitored = evaluation?.Loss ?? trainingLoss;
            if (!double.IsFinite(monitored))
                throw Diverged(epoch, batchNumber, $"the validation loss became {monitored}");
            double? score = validation is not null && options.ValidationScore is not null ? Score(validation) : null;

            TimeSpan elapsed = elapsedBefore + clock.Elapsed;
            var report = new TrainingProgress(
                epoch, options.Epochs, trainingLoss, evaluation?.Loss, evaluation?.Accuracy, learningRate,
                elapsed, elapsed / epoch * (options.Epochs - epoch)) { ValidationScore = score };
            history.Add(report);
            options.Progress?.Report(report);

            // With a score, a higher score improves, and an equal one with a lower loss (a tagger's span F1 stays 0
            // while it still tags everything O, and its loss says whether it is getting anywhere).
            bool improved = score is double value
                ? value > bestScore || (value == bestScore && monitored < bestLoss)
                : monitored < bestLoss;
            if (improved)
            {
                bestLoss = monitored;
                bestScore = score ?? bestScore;
                bestEpoch = epoch;
                epochsWithoutImprovement = 0;
                if (validation is not null)
                    bestWeights = (T[])parameters.Values.Clone();
            }
            else if (validation is not null && options.EarlyStoppingPatience > 0 && ++epochsWithoutImprovement >= options.EarlyStoppingPatience)
            {
                stoppedEarly = true;
                break;
            }
            if (options.LearningRateDecayFactor < 1)
            {
                optimizer.LearningRate = score is null
                    ? schedule.Update(monitored, optimizer.LearningRate)
                    : schedule.Update(improved, optimizer.LearningRate);
            }
        }

        if (bestWeights is not null)
        {
            bestWeights.CopyTo(parameters.Values, 0);
            parameters.MarkChanged();
        }
        else
            bestEpoch = history.Count;
        if (checkpointPath is not null)
            File.Delete(checkpointPath); // The run is done: a later run with the same path starts afresh.
        return new TrainingResult(history.Count, bestEpoch, stoppedEarly, history);
    }

    /// <summary>
    /// Sees every batch the network is given, with its targets (a copy) and whether it trains on it (false: a
    /// validation batch it only evaluates); null, the default, for none. The benchmarks' <c>mlnet-path</c> mode records
    /// a run's batches with it and replays them through <see cref="TrainOnBatch"/> and <see cref="SequenceNetwork{T}.Loss"/>
    /// alone, to tell the engine's time from the time spent reading data and building batches.
    /// </summary>
    internal Action<SequenceBatch<T>, T[], bool>? BatchObserver { get; init; }

    /// <summary>The optimizer the options name, for the network's parameters.</summary>
    internal IOptimizer<T> CreateOptimizer() => options.Optimizer == OptimizerKind.Adam
        ? new AdamOptimizer<T>(network.Parameters.Count, options.LearningRate, weightDecay: options.WeightDecay)
        : new SgdOptimizer<T>(network.Parameters.Count, options.LearningRate, options.Momentum, options.WeightDecay);

    /// <summary>
    /// One step of training on <paramref name="batch"/>: the loss and its gradients, the L2 term, the clipping and the
    /// optimizer's step. Returns the batch's mean loss; a loss or gradient norm that is not finite throws, naming
    /// <paramref name="epoch"/> and <paramref name="batchNumber"/>.
    /// </summary>
    internal double TrainOnBatch(SequenceBatch<T> batch, ReadOnlySpan<T> targets, IOptimizer<T> optimizer, int epoch, int batchNumber)
    {
        ParameterStore<T> parameters = network.Parameters;
        parameters.ZeroGradients();
        double batchLoss = network.Loss(batch, targets, training: true).Mean;
        if (!double.IsFinite(batchLoss))
            throw Diverged(epoch, batchNumber, $"the loss became {batchLoss}");
        network.Backward();

        if (options.L2 > 0)
            Regularization.AddL2<T>(parameters.Values, parameters.Gradients, T.CreateChecked(options.L2));
        if (options.GradientClipNorm > 0)
        {
            T norm = GradientClipping.ClipByGlobalNorm<T>(parameters.Gradients, T.CreateChecked(options.GradientClipNorm));
            if (!T.IsFinite(norm))
                throw Diverged(epoch, batchNumber, $"the gradient norm became {norm}");
        }
        StepKeepingFrozen(optimizer, parameters, EncoderStepScale(epoch));
        return batchLoss;
    }

    /// <summary>The values of a buffer of float (checkpoints are written only for networks of float).</summary>
    private static Span<float> Floats(T[] values) => System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(values.AsSpan());

    /// <summary>
    /// The fraction of the optimizer's step the encoder's parameters take in <paramref name="epoch"/>: 0 while
    /// <see cref="TrainingOptions.EncoderFrozenEpochs"/> last, then <see cref="TrainingOptions.EncoderLearningRateScale"/>.
    /// </summary>
    private double EncoderStepScale(int epoch) => epoch <= options.EncoderFrozenEpochs ? 0 : options.EncoderLearningRateScale;

    /// <summary>
    /// One optimizer step that leaves frozen parameters exactly as they were (a frozen parameter has no
    /// gradient, but weight decay and the L2 term would still move it, so its values are put back), and moves the
    /// encoder's parameters by <paramref name="encoderScale"/> of their step: w ← w₀ + s·(w₁ − w₀). Adam's and SGD's
    /// steps (weight decay included) are proportional to the learning rate, so this is the step at s times the rate.
    /// </summary>
    private void StepKeepingFrozen(IOptimizer<T> optimizer, ParameterStore<T> parameters, double encoderScale)
    {
        if (encoderScale != 1)
        {
            encoderViews ??= [.. parameters.Views.Where(view => !view.Name.StartsWith(HeadPrefix, StringComparison.Ordinal))];
            encoderValues ??= new T[encoderViews.Sum(v => v.Length)];
            int at = 0;
            foreach (ParameterView view in encoderViews)
            {
                parameters.Value(view).CopyTo(encoderValues.AsSpan(at, view.Length));
                at += view.Length;
            }
        }
        IReadOnlyCollection<ParameterView> frozen = parameters.FrozenViews;
        if (frozen.Count > 0)
        {
            frozenValues ??= new T[frozen.Sum(v => v.Length)];
            int at = 0;
            foreach (ParameterView view in frozen)
            {
                parameters.Value(view).CopyTo(frozenValues.AsSpan(at, view.Length));
                at += view.Length;
            }
        }
        optimizer.Step(parameters.Values, parameters.Gradients);
        if (encoderScale != 1)
        {
            T scale = T.CreateChecked(encoderScale);
            int at = 0;
            foreach (ParameterView view in encoderViews!)
            {
                Span<T> stepped = parameters.Value(view);
                ReadOnlySpan<T> before = encoderValues.AsSpan(at, view.Length);
                for (int i = 0; i < stepped.Length; i++)
                    stepped[i] = before[i] + scale * (stepped[i] - before[i]);
                at += view.Length;
            }
        }
        if (frozen.Count > 0)
        {
            int at = 0;
            foreach (ParameterView view in frozen)
            {
                frozenValues.AsSpan(at, view.Length).CopyTo(parameters.Value(view));
                at += view.Length;
            }
        }
        parameters.MarkChanged();
    }

    /// <summary>The <see cref="TrainingOptions.ValidationScore"/> of the network's predictions for <paramref name="examples"/>.</summary>
    private double Score(IReadOnlyList<SequenceExample> examples)
    {
        var predictions = new float[examples.Count][];
        int[] order = SortedByLength(examples);
        for (int start = 0; start < order.Length; start += EvaluationBatchSize)
        {
            int[] batchIndices = order[start..Math.Min(order.Length, start + EvaluationBatchSize)];
            ReadOnlySpan<T> batchPredictions = network.Predict(BuildBatch(examples, batchIndices, forTraining: false));
            int offset = 0;
            foreach (int index in batchIndices)
            {
                var values = new float[network.PredictionCount(SequenceLength(examples[index]))];
                for (int i = 0; i < values.Length; i++)
                    values[i] = float.CreateTruncating(batchPredictions[offset + i]);
                predictions[index] = values;
                offset += values.Length;
            }
        }
        double score = options.ValidationScore!(examples, predictions);
        if (!(score is >= 0 and <= 1))
            throw new InvalidOperationException($"The validation score is {score}; expected a number in [0, 1].");
        return score;
    }

    /// <summary>Mean loss over <paramref name="examples"/> and, for a head that classifies, the fraction predicted right.</summary>
    public (double Loss, double? Accuracy) Evaluate(IReadOnlyList<SequenceExample> examples)
    {
        double weightedLoss = 0;
        long units = 0, correct = 0;
        bool classifies = true;
        int[] order = SortedByLength(examples);
        for (int start = 0; start < order.Length; start += EvaluationBatchSize)
        {
            int[] batchIndices = order[start..Math.Min(order.Length, start + EvaluationBatchSize)];
            SequenceBatch<T> batch = BuildBatch(examples, batchIndices, forTraining: false);
            ReadOnlySpan<T> targets = GatherTargets(examples, batchIndices);
            BatchObserver?.Invoke(batch, targets.ToArray(), false);
            HeadLoss result = network.Loss(batch, targets, training: false);
            weightedLoss += result.Mean * result.Units;
            units += result.Units;
            classifies &= result.Correct.HasValue;
            correct += result.Correct ?? 0;
        }
        return (weightedLoss / units, classifies ? (double)correct / units : null);
    }

    private (IReadOnlyList<SequenceExample> Training, IReadOnlyList<SequenceExample>? Validation) SplitValidation(
        IReadOnlyList<SequenceExample> training, IReadOnlyList<SequenceExample>? validation, Random random)
    {
        if (validation is not null || options.ValidationFraction <= 0)
            return (training, validation);
        int held = (int)Math.Round(training.Count * options.ValidationFraction);
        if (held == 0 || held == training.Count)
            return (training, null);
        int[] order = Permutation(training.Count, random);
        var validationPart = new SequenceExample[held];
        var trainingPart = new SequenceExample[training.Count - held];
        for (int i = 0; i < order.Length; i++)
        {
            if (i < held)
                validationPart[i] = training[order[i]];
            else
                trainingPart[i - held] = training[order[i]];
        }
        return (trainingPart, validationPart);
    }

    /// <summary>
    /// This epoch's minibatches: a shuffle; with bucketing, sequences of similar length are grouped within
    /// windows of the shuffle (so little time is spent on steps only a few sequences still run), and the
    /// batches are shuffled again so lengths do not come in order.
    /// </summary>
    private List<int[]> PlanBatches(IReadOnlyList<SequenceExample> examples, Random random)
    {
        int[] order = Permutation(examples.Count, random);
        int batchSize = Math.Max(1, options.BatchSize);
        if (options.BucketByLength)
        {
            int window = batchSize * BucketWindowInBatches;
            for (int start = 0; start < order.Length; start += window)
                SortByLength(examples, order.AsSpan(start, Math.Min(window, order.Length - start)));
        }
        var batches = new List<int[]>((order.Length + batchSize - 1) / batchSize);
        for (int start = 0; start < order.Length; start += batchSize)
            batches.Add(order[start..Math.Min(order.Length, start + batchSize)]);
        if (options.BucketByLength)
            random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batches));
        return batches;
    }

    private static int[] Permutation(int count, Random random)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++)
            order[i] = i;
        random.Shuffle(order);
        return order;
    }

    private int[] SortedByLength(IReadOnlyList<SequenceExample> examples)
    {
        var order = new int[examples.Count];
        for (int i = 0; i < order.Length; i++)
            order[i] = i;
        SortByLength(examples, order);
        return order;
    }

    /// <summary>Sorts example indices by sequence length, shortest first; equal lengths keep their order.</summary>
    private void SortByLength(IReadOnlyList<SequenceExample> examples, Span<int> indices)
    {
        var keys = new long[indices.Length];
        for (int i = 0; i < keys.Length; i++)
            keys[i] = ((long)SequenceLength(examples[indices[i]]) << 32) | (uint)i;
        keys.AsSpan().Sort(indices);
    }

    private int SequenceLength(SequenceExample example) =>
        example.Tokens?.Length ?? example.Features!.Length / Math.Max(1, network.Spec.Encoder.FeaturesPerStep);

    /// <summary>The batch of <paramref name="indices"/>; a training batch gets the token dropout, if any.</summary>
    private SequenceBatch<T> BuildBatch(IReadOnlyList<SequenceExample> examples, int[] indices, bool forTraining)
    {
        var selected = new SequenceExample[indices.Length];
        for (int i = 0; i < indices.Length; i++)
            selected[i] = examples[indices[i]];
        SequenceBatch<T> batch = SequenceBatch<T>.FromExamples(selected, network.Spec.Encoder);
        if (forTraining && options.TokenDropout is TokenDropout tokenDropout)
            tokenDropout.Apply(batch.Tokens!, tokenDropoutRandom!); // FromTokens packed a copy: the examples are untouched
        return batch;
    }

    /// <summary>Targets in the order the network's outputs come: example after example, each example's targets in order.</summary>
    private ReadOnlySpan<T> GatherTargets(IReadOnlyList<SequenceExample> examples, int[] indices)
    {
        int total = 0;
        foreach (int index in indices)
            total += examples[index].Targets.Length;
        Span<T> targets = Workspace.Ensure(ref targetBuffer, total);
        int position = 0;
        foreach (int index in indices)
        {
            foreach (float target in examples[index].Targets)
                targets[position++] = T.CreateChecked(target);
        }
        return targets;
    }

    private void CheckTargets(IReadOnlyList<SequenceExample> examples, string set)
    {
        bool tokens = network.Spec.Encoder.Input == SequenceInputKind.Tokens;
        for (int i = 0; i < examples.Count; i++)
        {
            SequenceExample example = examples[i];
            if ((tokens ? example.Tokens : (object?)example.Features) is null)
                throw new ArgumentException($"Example {i} of the {set} set has no {(tokens ? "token ids" : "numeric features")}.");
            if (network.Spec.Encoder.ExtraFeaturesPerStep > 0 && example.ExtraFeatures is null)
                throw new ArgumentException($"Example {i} of the {set} set has no extra features; the encoder reads {network.Spec.Encoder.ExtraFeaturesPerStep} per step.");
            if (network.Spec.Encoder.ReadsCharacters && example.Characters is null)
                throw new ArgumentException($"Example {i} of the {set} set has no characters; the encoder reads each token's characters.");
            int length = SequenceLength(example);
            int expected = network.Head.TargetCount(length);
            if (example.Targets.Length != expected)
                throw new ArgumentException($"Example {i} of the {set} set has {example.Targets.Length} targets; its head expects {expected} for a sequence of {length} steps.");
        }
    }

    private static TrainingDivergedException Diverged(int epoch, int batch, string what) =>
        new($"Training diverged in epoch {epoch}, batch {batch}: {what}. No model was produced; lower the learning rate or set a gradient clip norm.");
}
