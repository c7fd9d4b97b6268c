using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// Every estimator of the package (<see cref="EstimatorCases.All"/>) through the same checks: it fits on small data,
/// promises the schema it produces, survives save and load bit for bit, takes an empty data view, and names the column
/// when one is missing, of the wrong type or of a size it cannot read.
/// </summary>
public class EstimatorHarnessTests
{
    private readonly MLContext mlContext = new(seed: 1);

    [Theory]
    [MemberData(nameof(EstimatorCases.Names), MemberType = typeof(EstimatorCases))]
    public void FitsAndProducesTheSchemaItPromises(string name)
    {
        EstimatorCase estimatorCase = EstimatorCases.Named(name);
        IDataView data = estimatorCase.TrainingData(mlContext);
        IEstimator<ITransformer> estimator = estimatorCase.Estimator(mlContext);

        SchemaShape promised = estimator.GetOutputSchema(LstmTestData.ShapeOf(data.Schema));
        ITransformer model = estimator.Fit(data);
        DataViewSchema produced = model.Transform(data).Schema;

        string[] added = NewColumns(data.Schema, produced);
        Assert.NotEmpty(added);
        LstmTestData.AssertSchemaAgrees(promised, produced, added);
        Assert.Equal(Describe(produced), Describe(model.GetOutputSchema(data.Schema)));
        foreach (string column in added)
            Assert.NotEmpty(ColumnValues.Read(model.Transform(data), column));
    }

    [Theory]
    [MemberData(nameof(EstimatorCases.Names), MemberType = typeof(EstimatorCases))]
    public void SaveAndLoadGiveIdenticalOutputs(string name)
    {
        EstimatorCase estimatorCase = EstimatorCases.Named(name);
        IDataView data = estimatorCase.TrainingData(mlContext);
        ITransformer model = estimatorCase.Estimator(mlContext).Fit(data);

        ITransformer loaded = LstmTestData.SaveAndLoadInNewContext(mlContext, model, data.Schema);

        IDataView before = model.Transform(data), after = loaded.Transform(data);
        Assert.Equal(Describe(before.Schema), Describe(after.Schema));
        foreach (string column in NewColumns(data.Schema, before.Schema))
            Assert.Equal(ColumnValues.Read(before, column), ColumnValues.Read(after, column));
    }

    [Theory]
    [MemberData(nameof(EstimatorCases.Names), MemberType = typeof(EstimatorCases))]
    public void AnEmptyDataViewIsRefusedForTrainingAndScoresToNoRows(string name)
    {
        EstimatorCase estimatorCase = EstimatorCases.Named(name);
        IDataView data = estimatorCase.TrainingData(mlContext);
        IDataView empty = mlContext.Data.SkipRows(data, int.MaxValue);
        IEstimator<ITransformer> estimator = estimatorCase.Estimator(mlContext);

        var error = Assert.ThrowsAny<ArgumentException>(() => estimator.Fit(empty));
        Assert.Contains("no rows", error.Message);

        ITransformer model = estimator.Fit(data);
        IDataView scored = model.Transform(empty);
        foreach (string column in NewColumns(data.Schema, scored.Schema))
            Assert.Empty(ColumnValues.Read(scored, column));
    }

    [Theory]
    [MemberData(nameof(EstimatorCases.Names), MemberType = typeof(EstimatorCases))]
    public void AMissingFeatureColumnIsNamed(string name)
    {
        EstimatorCase estimatorCase = EstimatorCases.Named(name);
        IDataView data = estimatorCase.TrainingData(mlContext);
        IEstimator<ITransformer> estimator = estimatorCase.Estimator(mlContext);
        IDataView without = mlContext.Transforms.DropColumns(estimatorCase.FeatureColumn).Fit(data).Transform(data);

        AssertRefusedNamingTheColumn(estimatorCase.FeatureColumn, estimator, data, without);
    }

    [Theory]
    [MemberData(nameof(EstimatorCases.Names), MemberType = typeof(EstimatorCases))]
    public void AFeatureColumnOfTheWrongTypeIsNamed(string name)
    {
        EstimatorCase estimatorCase = EstimatorCases.Named(name);
        IDataView data = estimatorCase.TrainingData(mlContext);
        IEstimator<ITransformer> estimator = estimatorCase.Estimator(mlContext);
        IDataView wrong = mlContext.Transforms.CopyColumns(estimatorCase.FeatureColumn, estimatorCase.WrongTypeSource).Fit(data).Transform(data);

        AssertRefusedNamingTheColumn(estimatorCase.FeatureColumn, estimator, data, wrong);
    }

    [Theory]
    [MemberData(nameof(EstimatorCases.Names), MemberType = typeof(EstimatorCases))]
    public void AFeatureColumnOfASizeTheModelCannotReadIsNamed(string name)
    {
        EstimatorCase estimatorCase = EstimatorCases.Named(name);
        ITransformer model = estimatorCase.Estimator(mlContext).Fit(estimatorCase.TrainingData(mlContext));
        IDataView wrong = estimatorCase.WrongVectorSize(mlContext);

        // Refused when the schema says so (another key count), or at the first row when only the values can (a
        // variable-size float vector): either way the message names the column.
        Exception error = Record.Exception(() =>
        {
            IDataView scored = model.Transform(wrong);
            foreach (string column in NewColumns(wrong.Schema, scored.Schema))
                ColumnValues.Read(scored, column);
        })!;
        Assert.NotNull(error);
        AssertNames(estimatorCase.FeatureColumn, error is ArgumentException ? error : ExceptionChain.Find<InvalidOperationException>(error));
    }

    /// <summary>
    /// <paramref name="bad"/> is refused, naming <paramref name="column"/>, by the estimator's schema check, by its Fit,
    /// and by the Transform of a model fitted on <paramref name="data"/>.
    /// </summary>
    private static void AssertRefusedNamingTheColumn(string column, IEstimator<ITransformer> estimator, IDataView data, IDataView bad)
    {
        AssertNames(column, Assert.ThrowsAny<ArgumentException>(() => estimator.GetOutputSchema(LstmTestData.ShapeOf(bad.Schema))));
        AssertNames(column, Assert.ThrowsAny<ArgumentException>(() => estimator.Fit(bad)));
        ITransformer model = estimator.Fit(data);
        AssertNames(column, Assert.ThrowsAny<ArgumentException>(() => model.Transform(bad)));
    }

    private static void AssertNames(string column, Exception error) =>
        Assert.True(error.Message.Contains($"'{column}'") || error.Message.Contains($"\"{column}\"") || error.Message.Contains($"column {column}") || error.Message.Contains($"Column {column}"),
            $"The message does not name column '{column}': {error.Message}");

    /// <summary>The columns a transformer appended to <paramref name="input"/>.</summary>
    private static string[] NewColumns(DataViewSchema input, DataViewSchema output) =>
        [.. output.Where(column => !column.IsHidden && column.Index >= input.Count).Select(column => column.Name)];

    private static string Describe(DataViewSchema schema) =>
        string.Join("; ", schema.Where(column => !column.IsHidden).Select(column => $"{column.Name}: {column.Type}"));
}
