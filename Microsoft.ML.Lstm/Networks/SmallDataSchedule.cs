namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// The rule that keeps the defaults working at any data size: a validation split held out of the training rows is used
/// to stop early only when it holds at least <see cref="MinimumValidationRows"/> rows. Below that, training uses every
/// row for the full epoch budget, with no early stopping, the learning rate halved when the training loss stops
/// improving.
/// </summary>
/// <remarks>
/// <para>Why: early stopping judges each epoch by the validation loss, and on a hundred rows that loss moves by more
/// between two epochs than the network improves in one. With 1,000 labelled sentences (issue #13) the 10 % split held
/// 100 rows; while the network still predicted near chance, that noise read as "no improvement" for three epochs,
/// training stopped, and the model stayed at chance (51.6 % accuracy). A split of 200 rows measures an
/// accuracy near 80 % to within about ±3 % (one standard error), where 100 rows leave ±4 %.</para>
/// <para>Why training on for the whole budget is safe on small sets: on subsets of the UCI sentiment sentences (100,
/// 300 and 1,000 rows, three seeds each), test accuracy of the default network rises for 10–20 epochs and then stays
/// within about two points of its best up to 80 epochs (<c>benchmarks/RESULTS.md</c>, "Text input (issue #13)"): once
/// the training loss is near zero, little changes, so stopping late costs little and stopping early costs everything.</para>
/// <para>A validation set passed in (<c>Fit(train, validation)</c>) is always used, whatever its size, and a
/// <see cref="TrainingOptions.ValidationFraction"/> of 0 already means no split.</para>
/// </remarks>
internal static class SmallDataSchedule
{
    /// <summary>Fewest rows a held-out validation split must hold to be used for early stopping.</summary>
    public const int MinimumValidationRows = 200;

    /// <summary>Rows a split of <paramref name="fraction"/> holds out of <paramref name="trainingRows"/>, as <see cref="NetworkTrainer{T}"/> rounds it.</summary>
    public static int HeldOutRows(int trainingRows, double fraction) => (int)Math.Round(trainingRows * fraction);

    /// <summary>
    /// Whether <paramref name="options"/> would hold out a validation split of <paramref name="trainingRows"/> too small
    /// to judge an epoch by (no validation set was given).
    /// </summary>
    public static bool Applies(TrainingOptions options, int trainingRows, bool validationGiven) =>
        !validationGiven && options.ValidationFraction > 0 && HeldOutRows(trainingRows, options.ValidationFraction) < MinimumValidationRows;

    /// <summary>
    /// <paramref name="options"/> for <paramref name="trainingRows"/> rows: unchanged unless <see cref="Applies"/>, and
    /// then with no validation split (so every row trains, for all <see cref="TrainingOptions.Epochs"/>).
    /// </summary>
    public static TrainingOptions For(TrainingOptions options, int trainingRows, bool validationGiven) =>
        Applies(options, trainingRows, validationGiven) ? options with { ValidationFraction = 0 } : options;

    /// <summary>The log line that says the rule applied, and why.</summary>
    public static string Describe(TrainingOptions options, int trainingRows) =>
        $"Small training set: {trainingRows:N0} rows, so a {options.ValidationFraction:P0} validation split would hold " +
        $"{HeldOutRows(trainingRows, options.ValidationFraction):N0} rows, fewer than the {MinimumValidationRows} needed to judge an epoch by. " +
        $"Training on every row for {options.Epochs} epochs without early stopping (the learning rate halves when the training loss stops improving); " +
        "pass a validation set to Fit to stop early on it instead.";
}
