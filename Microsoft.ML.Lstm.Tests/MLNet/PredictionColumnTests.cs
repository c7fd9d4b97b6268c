using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Lstm.Tests.Networks;
using static Microsoft.ML.Lstm.Tests.MLNet.SequenceTestData;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// The column layer under every sequence transformer: how a row's predictions become scalar, fixed-size and
/// variable-length columns, and what the schema says about them. Per-step columns are what a tagger writes.
/// </summary>
public class PredictionColumnTests
{
    private const int Classes = 3;
    private static readonly string[] Tags = ["O", "PER", "LOC"];

    private readonly MLContext mlContext = new(seed: 1);

    /// <summary>Rows of 2, 1, 3 and 2 steps: the prediction buffer grows, shrinks and is reused.</summary>
    private static BinarySequenceRow[] Rows() =>
    [
        new() { Features = [0.1f, 0.2f, 0.3f, 0.4f] },
        new() { Features = [0.9f, -0.5f] },
        new() { Features = [0.5f, 0.5f, -0.1f, 0.7f, 0.2f, 0.0f] },
        new() { Features = [-0.3f, 0.8f, 0.6f, 0.1f] },
    ];

    /// <summary>An untrained network with a softmax over <see cref="Classes"/> classes at every step.</summary>
    private static SequenceModel TaggingNetwork() => SequenceModel.FromNetwork(
        new SequenceNetwork<float>(NetworkSpecs.StepSoftmax(NetworkSpecs.Features(FeaturesPerStep, hidden: 4, bidirectional: true), Classes), seed: 3, threads: 1));

    [Fact]
    public void StepKeyColumnHoldsTheMostProbableClassOfEveryStep()
    {
        SequenceModel network = TaggingNetwork();
        var column = new StepPredictionColumn<uint>("PredictedLabel", new KeyDataViewType(typeof(uint), Classes), Classes,
            logits => (uint)Classification.ArgMax(logits) + 1, new PredictionRole(PredictionTask.MulticlassClassification, PredictionValue.PredictedLabel), Tags);

        List<uint[]> keys = ReadColumn<uint>(network, column, maxSequenceLength: 0);

        float[][] logits = Predict(network, Rows().Select(row => row.Features));
        Assert.Equal([2, 1, 3, 2], keys.Select(row => row.Length));
        for (int row = 0; row < keys.Count; row++)
        {
            uint[] expected = logits[row].Chunk(Classes).Select(step => (uint)Classification.ArgMax<float>(step) + 1).ToArray();
            Assert.Equal(expected, keys[row]);
        }
    }

    [Fact]
    public void StepFloatColumnHoldsOneValuePerStep()
    {
        SequenceModel network = TaggingNetwork();
        var column = new StepPredictionColumn<float>("Score", NumberDataViewType.Single, Classes, logits => logits[1] - logits[0]);

        List<float[]> values = ReadColumn<float>(network, column, maxSequenceLength: 0);

        float[][] logits = Predict(network, Rows().Select(row => row.Features));
        Assert.Equal(
            logits.Select(row => Bits(row.Chunk(Classes).Select(step => step[1] - step[0]))),
            values.Select(row => Bits(row)));
    }

    [Fact]
    public void StepColumnOfACutSequenceHoldsTheKeptSteps()
    {
        var column = new StepPredictionColumn<uint>("PredictedLabel", new KeyDataViewType(typeof(uint), Classes), Classes, logits => (uint)Classification.ArgMax(logits) + 1);

        List<uint[]> keys = ReadColumn<uint>(TaggingNetwork(), column, maxSequenceLength: 2);

        Assert.Equal([2, 1, 2, 2], keys.Select(row => row.Length));
    }

    [Fact]
    public void VectorColumnHoldsThePooledPredictionsTransformed()
    {
        SequenceModel network = MulticlassNetwork();
        var column = new VectorPredictionColumn("Score", Classes, SoftmaxCrossEntropyLoss<float>.Softmax);

        List<float[]> probabilities = ReadColumn<float>(network, column, maxSequenceLength: 0);

        var expected = Predict(network, Rows().Select(row => row.Features)).Select(logits =>
        {
            var softmax = new float[Classes];
            SoftmaxCrossEntropyLoss<float>.Softmax(logits, softmax);
            return Bits(softmax);
        });
        Assert.Equal(expected, probabilities.Select(row => Bits(row)));
    }

    [Fact]
    public void ScalarColumnsOfOneRowShareOneNetworkRun()
    {
        SequenceModel network = BinaryNetwork();
        var data = mlContext.Data.LoadFromEnumerable(Rows());
        using var cursor = data.GetRowCursor(data.Schema);
        var predictions = new RowPredictions(cursor, new SequenceRowReader(cursor, data.Schema["Features"], SequenceInput.FloatSteps(FeaturesPerStep), 0), network);
        var score = (ValueGetter<float>)new ScalarPredictionColumn<float>("Score", NumberDataViewType.Single, logit => logit[0]).CreateGetter(predictions);
        var label = (ValueGetter<bool>)new ScalarPredictionColumn<bool>("PredictedLabel", BooleanDataViewType.Instance, logit => logit[0] > 0).CreateGetter(predictions);

        var read = new List<(float Score, bool Label)>();
        while (cursor.MoveNext())
        {
            float value = 0;
            bool positive = false;
            score(ref value);
            label(ref positive);
            read.Add((value, positive));
        }

        float[] logits = [.. Predict(network, Rows().Select(row => row.Features)).Select(logit => logit[0])];
        Assert.Equal(Bits(logits), Bits(read.Select(r => r.Score)));
        Assert.Equal(logits.Select(logit => logit > 0), read.Select(r => r.Label));
    }

    [Fact]
    public void SchemaOfAStepKeyColumnIsAVariableLengthKeyVectorWithTheClassNames()
    {
        PredictionColumn[] columns =
        [
            new StepPredictionColumn<uint>("PredictedLabel", new KeyDataViewType(typeof(uint), Classes), Classes, logits => 1u, classNames: Tags),
            new StepPredictionColumn<float>("Score", NumberDataViewType.Single, Classes, logits => logits[0]),
        ];

        DataViewSchema schema = SchemaOf(columns);

        var predictedLabel = (VectorDataViewType)schema["PredictedLabel"].Type;
        Assert.False(predictedLabel.IsKnownSize);
        Assert.Equal(new KeyDataViewType(typeof(uint), Classes), predictedLabel.ItemType);
        VBuffer<ReadOnlyMemory<char>> keyValues = default;
        schema["PredictedLabel"].GetKeyValues(ref keyValues);
        Assert.Equal(Tags, keyValues.DenseValues().Select(value => value.ToString()));
        var score = (VectorDataViewType)schema["Score"].Type;
        Assert.False(score.IsKnownSize);
        Assert.Equal(NumberDataViewType.Single, score.ItemType);
        Assert.Empty(schema["Score"].Annotations.Schema);
    }

    [Fact]
    public void SchemaOfAFixedVectorWithClassNamesHasSlotNamesAndTheScoreAnnotations()
    {
        PredictionColumn[] columns =
        [
            new VectorPredictionColumn("Score", Classes, role: new PredictionRole(PredictionTask.MulticlassClassification, PredictionValue.Score), classNames: Tags),
        ];

        DataViewSchema schema = SchemaOf(columns);

        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, Classes), schema["Score"].Type);
        VBuffer<ReadOnlyMemory<char>> slotNames = default;
        schema["Score"].GetSlotNames(ref slotNames);
        Assert.Equal(Tags, slotNames.DenseValues().Select(value => value.ToString()));
        Assert.Equal(
            ["ScoreColumnSetId", "ScoreColumnKind", "ScoreValueKind", "SlotNames", "TrainingLabelValues"],
            schema["Score"].Annotations.Schema.Select(annotation => annotation.Name));
    }

    [Fact]
    public void ClassNamesMustNameEveryClass()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new StepPredictionColumn<uint>("PredictedLabel", new KeyDataViewType(typeof(uint), Classes), Classes, logits => 1u, classNames: ["O", "PER"]));

        Assert.Contains("room for 3 class names; 2 were given", error.Message);
    }

    /// <summary>Every row's value of <paramref name="column"/>, read through a cursor as a transformer's mapper does.</summary>
    private List<T[]> ReadColumn<T>(SequenceModel network, PredictionColumn column, int maxSequenceLength)
    {
        var data = mlContext.Data.LoadFromEnumerable(Rows());
        using var cursor = data.GetRowCursor(data.Schema);
        var sequence = new SequenceRowReader(cursor, data.Schema["Features"], SequenceInput.FloatSteps(FeaturesPerStep), maxSequenceLength);
        var getter = (ValueGetter<VBuffer<T>>)column.CreateGetter(new RowPredictions(cursor, sequence, network));
        var rows = new List<T[]>();
        VBuffer<T> values = default;
        while (cursor.MoveNext())
        {
            getter(ref values);
            rows.Add(values.DenseValues().ToArray());
        }
        return rows;
    }

    private DataViewSchema SchemaOf(IReadOnlyList<PredictionColumn> columns)
    {
        var input = mlContext.Data.LoadFromEnumerable(Rows()).Schema;
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(SequencePredictionTransformerBase.DetachedColumns(input, columns));
        return builder.ToSchema();
    }

}
