using Microsoft.ML.Lstm.Networks;
using static Microsoft.ML.Lstm.Tests.Networks.NetworkSpecs;

namespace Microsoft.ML.Lstm.Tests.Networks;

public class EncoderStepperTests
{
    /// <summary>Feeding sequences in pieces of the given sizes gives, at every step, the bits of encoding them whole.</summary>
    [Theory]
    [InlineData("Lstm", 1, new[] { 1, 1, 1, 1, 1, 1, 1 })]
    [InlineData("Gru", 3, new[] { 2, 1, 4 })]
    [InlineData("PeepholeLstm", 2, new[] { 3, 3, 1 })]
    [InlineData("Lstm", 4, new[] { 7 })]
    public void SteppingEqualsTheWholeSequenceBitForBit(string cellName, int sequences, int[] pieces)
    {
        CellType cell = Enum.Parse<CellType>(cellName);
        int steps = pieces.Sum();
        var encoder = new SequenceEncoder<float>(Tokens(20, 6, 16, cell, layers: 2), new ParameterStore<float>(), new Random(3), threads: 2);
        var random = new Random(4);
        int[][] tokens = Enumerable.Range(0, sequences).Select(_ => Enumerable.Range(0, steps).Select(_ => random.Next(20)).ToArray()).ToArray();

        EncodedBatch<float> whole = encoder.Forward(SequenceBatch<float>.FromTokens(tokens), training: false);
        int d = encoder.OutputSize;
        // Equal lengths: packed row t·B + s is step t of sequence s.
        float[] wholeFeatures = whole.Features.ToArray();
        float[] wholeHidden = whole.FinalState.Hidden.ToArray(), wholeCell = whole.FinalState.Cell.ToArray();

        var stepper = new EncoderStepper<float>(encoder, sequences);
        int done = 0;
        foreach (int piece in pieces)
        {
            int[] input = tokens.SelectMany(sequence => sequence[done..(done + piece)]).ToArray();
            EncodedBatch<float> encoded = stepper.Step(input, piece);
            for (int t = 0; t < piece; t++)
            {
                for (int s = 0; s < sequences; s++)
                {
                    Assert.Equal(
                        wholeFeatures.AsSpan(((done + t) * sequences + s) * d, d).ToArray(),
                        encoded.Features.Slice((t * sequences + s) * d, d).ToArray());
                }
            }
            done += piece;
        }
        Assert.Equal(wholeHidden, stepper.State.Hidden);
        Assert.Equal(wholeCell, stepper.State.Cell);
    }

    [Fact]
    public void AWarmStepAllocatesNothing()
    {
        var encoder = new SequenceEncoder<float>(Tokens(20, 6, 32, layers: 2), new ParameterStore<float>(), new Random(3), threads: 1);
        var stepper = new EncoderStepper<float>(encoder, sequences: 1);
        int[] token = [5];
        stepper.Step(token);
        stepper.Step(token);

        Assert.Equal(0, ThreadAllocations.Of(() =>
        {
            for (int i = 0; i < 10; i++)
                stepper.Step(token);
        }));
    }

    [Fact]
    public void ResetStartsFromZeroStatesAgain()
    {
        var encoder = new SequenceEncoder<float>(Features(2, 8, CellType.Gru), new ParameterStore<float>(), new Random(3), threads: 1);
        var stepper = new EncoderStepper<float>(encoder, sequences: 1);
        float[] step = [0.5f, -0.25f];
        float[] first = stepper.Step(step).Features.ToArray();
        Assert.NotEqual(first, stepper.Step(step).Features.ToArray());
        stepper.Reset();
        Assert.Equal(first, stepper.Step(step).Features.ToArray());
    }

    [Fact]
    public void ABidirectionalEncoderRefusesToStep()
    {
        var encoder = new SequenceEncoder<float>(Tokens(20, 6, 8, bidirectional: true), new ParameterStore<float>(), new Random(3), threads: 1);
        var error = Assert.Throws<InvalidOperationException>(() => new EncoderStepper<float>(encoder, sequences: 1));
        Assert.Contains("bidirectional", error.Message);
    }

    [Fact]
    public void AnInitialStateGivenOnceDoesNotLeakIntoLaterCalls()
    {
        var encoder = new SequenceEncoder<float>(Tokens(20, 6, 8), new ParameterStore<float>(), new Random(3), threads: 1);
        var batch = SequenceBatch<float>.FromTokens([[1, 2, 3]]);
        float[] fromZero = encoder.Forward(batch, training: false).Features.ToArray();
        RecurrentState<float> state = encoder.CreateState(1);
        Array.Fill(state.Hidden, 0.5f);
        Assert.NotEqual(fromZero, encoder.Forward(batch, training: false, state).Features.ToArray());
        Assert.Equal(fromZero, encoder.Forward(batch, training: false).Features.ToArray());
    }
}
