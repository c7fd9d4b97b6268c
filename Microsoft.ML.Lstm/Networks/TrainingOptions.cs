namespace Microsoft.ML.Lstm.Networks;

/// <summary>How <see cref="NetworkTrainer{T}"/> fits a network: optimizer, schedule and stopping (the objective is the head's).</summary>
internal sealed record TrainingOptions
{
    /// <summary>Most passes over the training data.</summary>
    public int Epochs { get; init; } = 20;

    /// <summary>Sequences per minibatch.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Initial learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>The optimizer.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Momentum of SGD.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>Decoupled weight decay (AdamW) or SGD's weight decay.</summary>
    public double WeightDecay { get; init; }

    /// <summary>L2 penalty λ/2·‖w‖² added to the loss.</summary>
    public double L2 { get; init; }

    /// <summary>Gradients are scaled down when their global norm exceeds this; 0 disables clipping.</summary>
    public double GradientClipNorm { get; init; } = 5.0;

    /// <summary>Epochs without validation improvement before stopping; 0 disables early stopping.</summary>
    public int EarlyStoppingPatience { get; init; } = 5;

    /// <summary>Fraction of the training data held out for validation when no validation set is given; 0 for none.</summary>
    public double ValidationFraction { get; init; }

    /// <summary>Factor applied to the learning rate when the monitored loss stops improving; 1 disables the schedule.</summary>
    public double LearningRateDecayFactor { get; init; } = 0.5;

    /// <summary>Epochs without improvement before the learning rate is reduced.</summary>
    public int LearningRateDecayPatience { get; init; } = 2;

    /// <summary>Floor of the learning rate schedule.</summary>
    public double MinimumLearningRate { get; init; } = 1e-5;

    /// <summary>Whether minibatches group sequences of similar length (less wasted work per step).</summary>
    public bool BucketByLength { get; init; } = true;

    /// <summary>Seeds weight initialisation, shuffling and dropout.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Threads for the recurrence and large products.</summary>
    public int Threads { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>
    /// A score of the network's predictions on the validation set, higher better, in [0, 1] (a tagger's span F1): when
    /// given, it decides which epoch's weights are kept, when training stops early and when the learning rate drops,
    /// with the validation loss breaking ties; null decides by the validation loss alone. Called after each epoch with
    /// the validation examples and the network's predictions for each (<c>PredictionCount(length)</c> values).
    /// </summary>
    public Func<IReadOnlyList<SequenceExample>, IReadOnlyList<float[]>, double>? ValidationScore { get; init; }

    /// <summary>
    /// The encoder's parameters (every one outside the head) move by this fraction of the optimizer's step, the head's by
    /// all of it: a lower learning rate for a pretrained encoder than for a new head (ULMFiT's discriminative fine-tuning).
    /// In [0, 1]; 1 trains every parameter alike. Default: 1.
    /// </summary>
    public double EncoderLearningRateScale { get; init; } = 1;

    /// <summary>
    /// In epochs 1 to this one, the encoder's parameters do not move (the head trains alone); from the next epoch on they
    /// train at <see cref="EncoderLearningRateScale"/> (ULMFiT's gradual unfreezing, with the encoder as one group). Default: 0.
    /// </summary>
    public int EncoderFrozenEpochs { get; init; }

    /// <summary>Training batches read rare tokens as the unknown token now and then (see <see cref="Networks.TokenDropout"/>); null for never.</summary>
    public TokenDropout? TokenDropout { get; init; }

    /// <summary>Receives a report after each epoch.</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>
    /// Where training keeps a checkpoint to resume from (see <see cref="TrainingCheckpoint"/>); null keeps none. A run
    /// that finds a checkpoint of the same configuration and data there resumes from it, and reaches the weights an
    /// uninterrupted run reaches; the file is deleted when training ends.
    /// </summary>
    public string? CheckpointPath { get; init; }

    /// <summary>How often a checkpoint is written, at the end of the first batch after this much time; zero writes one after every batch.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Receives a line when training resumes from a checkpoint, or sets one aside.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Called after each minibatch with the epoch and the batch's number in it (after any checkpoint): for tests that stop training at a chosen batch.</summary>
    internal Action<int, int>? BatchDone { get; init; }

    /// <summary>Stops training between minibatches.</summary>
    public CancellationToken CancellationToken { get; init; }
}
