using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>Each kind of label turns a row into the network's targets, and names the column and row when it cannot.</summary>
public class LabelColumnTests
{
    private readonly MLContext mlContext = new(seed: 1);

    [Fact]
    public void BooleanLabelIsOneOrZero()
    {
        var data = mlContext.Data.LoadFromEnumerable(new[] { new BinarySequenceRow { Label = true }, new BinarySequenceRow { Label = false } });

        var targets = ReadTargets(data, BooleanLabelColumn.From(data.Schema, "Label", "training"), rowSteps: 1);

        Assert.Equal([[1f], [0f]], targets);
    }

    [Fact]
    public void KeyLabelIsTheClassIndex()
    {
        var data = MapToKeys(new[] { new MulticlassSequenceRow { Label = "low" }, new MulticlassSequenceRow { Label = "high" }, new MulticlassSequenceRow { Label = "low" } }, "Label");
        var label = KeyLabelColumn.From(data.Schema, "Label", "training");

        var targets = ReadTargets(data, label, rowSteps: 4);

        Assert.Equal([[0f], [1f], [0f]], targets);
        Assert.Equal(["low", "high"], label.ClassNames);
        Assert.Equal(2, label.OutputSize);
    }

    [Fact]
    public void SingleVectorLabelGivesOneTargetPerValue()
    {
        var data = mlContext.Data.LoadFromEnumerable(new[]
        {
            new TwoTargetRow { Label = [1.5f, -2f] },
            new TwoTargetRow { Label = [0f, 3f] },
        });
        var label = SingleVectorLabelColumn.Of(data.Schema["Label"], "training");

        var targets = ReadTargets(data, label, rowSteps: 3);

        Assert.Equal([[1.5f, -2f], [0f, 3f]], targets);
        Assert.Equal(2, label.OutputSize);
        Assert.Equal(2, label.TargetCount(steps: 7));
    }

    [Fact]
    public void SingleVectorLabelWithANonFiniteTargetNamesColumnRowAndTarget()
    {
        var data = mlContext.Data.LoadFromEnumerable(new[] { new TwoTargetRow { Label = [1f, 2f] }, new TwoTargetRow { Label = [1f, float.NaN] } });

        var error = Assert.Throws<InvalidOperationException>(() => ReadTargets(data, SingleVectorLabelColumn.Of(data.Schema["Label"], "training"), rowSteps: 1));

        Assert.Equal("Column 'Label', row 1 of the training data: target 1 of the label is missing (NaN); expected finite numbers.", error.Message);
    }

    [Fact]
    public void KeyVectorLabelGivesOneClassIndexPerStep()
    {
        var data = MapToKeys(new[]
        {
            new TaggedRow { Tags = ["O", "PER", "O"] },
            new TaggedRow { Tags = ["LOC"] },
        }, "Tags");
        var label = KeyVectorLabelColumn.From(data.Schema, "Tags", "training", stepName: "token");
        using var cursor = data.GetRowCursor(data.Schema);
        TargetGetter getTargets = label.CreateTargetGetter(cursor);

        cursor.MoveNext();
        var first = new float[label.TargetCount(3)];
        getTargets(3, first);
        cursor.MoveNext();
        var second = new float[label.TargetCount(1)];
        getTargets(1, second);

        Assert.Equal([0f, 1f, 0f], first);
        Assert.Equal([2f], second);
        Assert.Equal(3, label.OutputSize);
        Assert.Equal(["O", "PER", "LOC"], label.ClassNames);
    }

    [Fact]
    public void KeyVectorLabelOfAnotherLengthThanTheSequenceNamesColumnRowAndExpectation()
    {
        var data = MapToKeys(new[] { new TaggedRow { Tags = ["O"] }, new TaggedRow { Tags = ["O", "PER", "O", "O", "O"] } }, "Tags");
        var label = KeyVectorLabelColumn.From(data.Schema, "Tags", "training", stepName: "token");
        using var cursor = data.GetRowCursor(data.Schema);
        TargetGetter getTargets = label.CreateTargetGetter(cursor);
        cursor.MoveNext();
        getTargets(1, new float[1]);
        cursor.MoveNext();

        var error = Assert.Throws<InvalidOperationException>(() => getTargets(6, new float[6]));

        Assert.Equal("Column 'Tags', row 1 of the training data: 5 tags for 6 tokens; expected one tag per token.", error.Message);
    }

    [Fact]
    public void KeyVectorLabelOfACutSequenceGivesTheKeptStepsTags()
    {
        var data = MapToKeys(new[] { new TaggedRow { Tags = ["O", "PER", "LOC", "O"] } }, "Tags");
        var label = KeyVectorLabelColumn.From(data.Schema, "Tags", "training");
        using var cursor = data.GetRowCursor(data.Schema);
        TargetGetter getTargets = label.CreateTargetGetter(cursor);
        cursor.MoveNext();

        // MaxSequenceLength 2: the row holds 4 steps, the network reads 2.
        var targets = new float[label.TargetCount(2)];
        getTargets(4, targets);

        Assert.Equal([0f, 1f], targets);
    }

    [Fact]
    public void KeyVectorLabelWithAMissingTagNamesTheStep()
    {
        // Tags mapped on data without "MISC": that tag is the missing key 0.
        var keys = mlContext.Transforms.Conversion.MapValueToKey("Tags")
            .Fit(mlContext.Data.LoadFromEnumerable(new[] { new TaggedRow { Tags = ["O", "PER"] } }));
        var data = keys.Transform(mlContext.Data.LoadFromEnumerable(new[] { new TaggedRow { Tags = ["O", "MISC"] } }));

        var error = Assert.Throws<InvalidOperationException>(() => ReadTargets(data, KeyVectorLabelColumn.From(data.Schema, "Tags", "validation"), rowSteps: 2));

        Assert.Equal(
            "Column 'Tags', row 0 of the validation data: the tag at step 1 is missing (key 0, a value MapValueToKey did not know); expected keys from 1 to 2.",
            error.Message);
    }

    [Fact]
    public void KeyVectorLabelMustBeAVectorOfKeys()
    {
        var data = MapToKeys(new[] { new MulticlassSequenceRow { Label = "low" }, new MulticlassSequenceRow { Label = "high" } }, "Label");

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => KeyVectorLabelColumn.From(data.Schema, "Label", "training"));

        Assert.Contains("label column 'Label' is Key<UInt32, 0-1>", error.Message);
        Assert.Contains("expected a vector of keys", error.Message);
    }

    [Fact]
    public void ValidationKeyVectorLabelWithOtherClassesIsRejected()
    {
        var training = MapToKeys(new[] { new TaggedRow { Tags = ["O", "PER"] } }, "Tags");
        var validation = MapToKeys(new[] { new TaggedRow { Tags = ["O", "LOC", "PER"] } }, "Tags");

        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            KeyVectorLabelColumn.From(validation.Schema, "Tags", "validation").CheckMatches(KeyVectorLabelColumn.From(training.Schema, "Tags", "training")));

        Assert.Contains("has 3 classes (O, LOC, PER); the training data's has 2 (O, PER)", error.Message);
    }

    [Fact]
    public void ValidationVectorLabelOfAnotherSizeIsRejected()
    {
        var training = mlContext.Data.LoadFromEnumerable(new[] { new TwoTargetRow { Label = [1f, 2f] } });
        var validation = mlContext.Data.LoadFromEnumerable(new[] { new ThreeTargetRow { Label = [1f, 2f, 3f] } });

        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            SingleVectorLabelColumn.Of(validation.Schema["Label"], "validation").CheckMatches(SingleVectorLabelColumn.Of(training.Schema["Label"], "training")));

        Assert.Contains("holds 3 targets per row; the training data's holds 2", error.Message);
    }

    private IDataView MapToKeys<TRow>(TRow[] rows, string column) where TRow : class =>
        mlContext.Transforms.Conversion.MapValueToKey(column).Fit(mlContext.Data.LoadFromEnumerable(rows)).Transform(mlContext.Data.LoadFromEnumerable(rows));

    /// <summary>Each row's targets, every row taken to hold a sequence of <paramref name="rowSteps"/> steps, all kept.</summary>
    private static List<float[]> ReadTargets(IDataView data, LabelColumn label, int rowSteps)
    {
        var rows = new List<float[]>();
        using var cursor = data.GetRowCursor(data.Schema);
        TargetGetter getTargets = label.CreateTargetGetter(cursor);
        while (cursor.MoveNext())
        {
            var targets = new float[label.TargetCount(rowSteps)];
            getTargets(rowSteps, targets);
            rows.Add(targets);
        }
        return rows;
    }
}

/// <summary>Two regression targets per row.</summary>
public sealed class TwoTargetRow
{
    [VectorType(2)]
    public float[] Label { get; set; } = [];
}

/// <summary>Three regression targets per row.</summary>
public sealed class ThreeTargetRow
{
    [VectorType(3)]
    public float[] Label { get; set; } = [];
}

/// <summary>One tag per step, as text (mapped to keys by the tests).</summary>
public sealed class TaggedRow
{
    [VectorType]
    public string[] Tags { get; set; } = [];
}
