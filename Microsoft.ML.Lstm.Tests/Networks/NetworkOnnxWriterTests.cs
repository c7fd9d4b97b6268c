using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Tests.Networks;

/// <summary>What the ONNX export refuses, named in the message (what it accepts is scored against ONNX Runtime in MLNet/SequenceTransformerOnnxExportTests).</summary>
public class NetworkOnnxWriterTests
{
    [Fact]
    public void TheCharacterEncoderIsRefusedByName()
    {
        EncoderSpec encoder = NetworkSpecs.Tokens(10, embedding: 3, hidden: 4) with { CharacterVocabularySize = 5, CharacterEmbeddingSize = 2, CharacterHiddenSize = 2 };

        var error = Assert.Throws<NotSupportedException>(() => NetworkOnnxWriter.CheckExportable(NetworkSpecs.StepSoftmax(encoder, classes: 3)));

        Assert.Contains("character encoder", error.Message);
        Assert.Contains("CharacterColumnName", error.Message);
    }

    [Fact]
    public void ASecondPerStepInputIsRefusedByName()
    {
        EncoderSpec encoder = NetworkSpecs.Features(2, hidden: 4) with { ExtraFeaturesPerStep = 3 };

        var error = Assert.Throws<NotSupportedException>(() => NetworkOnnxWriter.CheckExportable(NetworkSpecs.Pooled(encoder, PoolingMode.Mean, 1, LossKind.MeanSquaredError)));

        Assert.Contains("second per-step input (3 values per step", error.Message);
    }

    [Fact]
    public void TheCrfIsRefusedByNameAndEveryOtherHeadIsAccepted()
    {
        EncoderSpec encoder = NetworkSpecs.Tokens(10, embedding: 3, hidden: 4, CellType.Gru, layers: 2, bidirectional: true);

        var error = Assert.Throws<NotSupportedException>(() => NetworkOnnxWriter.CheckExportable(NetworkSpecs.Crf(encoder, NetworkSpecs.BioCrf(1))));

        Assert.Contains("CRF", error.Message);
        Assert.Contains("Viterbi", error.Message);
        foreach (PoolingMode pooling in Enum.GetValues<PoolingMode>())
            NetworkOnnxWriter.CheckExportable(NetworkSpecs.Pooled(encoder, pooling, 3, LossKind.SoftmaxCrossEntropy));
        NetworkOnnxWriter.CheckExportable(NetworkSpecs.StepSoftmax(encoder, classes: 3));
        NetworkOnnxWriter.CheckExportable(new NetworkSpec(encoder, new PooledFeaturesHeadSpec { Modes = [PoolingMode.LastState, PoolingMode.Mean, PoolingMode.Max] }));
    }

    [Fact]
    public void ALanguageModelsHeadIsRefused()
    {
        // A featurizer exports its encoder under the featurizing head; the next-token head itself has no ONNX export.
        EncoderSpec encoder = NetworkSpecs.Tokens(10, embedding: 3, hidden: 4, bidirectional: true);
        var error = Assert.Throws<NotSupportedException>(() => NetworkOnnxWriter.CheckExportable(new NetworkSpec(encoder, new LanguageModelHeadSpec { OutputSize = 10, Bidirectional = true })));
        Assert.Contains(nameof(LanguageModelHeadSpec), error.Message);
    }
}
