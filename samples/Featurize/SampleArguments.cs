namespace Featurize;

/// <summary>The sample's command line: where the reviews and the text come from, how many labels, which seed.</summary>
internal sealed record SampleArguments
{
    public string? DataPath { get; private init; }
    public string? TestPath { get; private init; }
    public string? TextPath { get; private init; }
    public int? Labels { get; private init; }
    public int Seed { get; private init; } = 1;
    public int CharacterEpochs { get; private init; } = 3;

    /// <summary>What the character-level model is asked to continue.</summary>
    public string[] Prompts => TextPath is null ? ["the food was ", "this phone was not ", "the movie "] : ["ROMEO:\n", "First Citizen:\n", "KING HENRY:\n"];

    /// <summary>Reads the arguments; false, after a one-line message on standard error, when they are not usable.</summary>
    public static bool TryParse(string[] args, out SampleArguments arguments)
    {
        arguments = new SampleArguments();
        for (int i = 0; i < args.Length; i += 2)
        {
            string name = args[i];
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            if (name is not ("--data" or "--test" or "--text" or "--labels" or "--seed" or "--char-epochs"))
                return Fail($"Unknown argument '{name}'. Usage: [--data FILE [--test FILE]] [--labels N] [--seed S] [--text FILE] [--char-epochs N]");
            if (value is null)
                return Fail($"{name} needs a value. Usage: [--data FILE [--test FILE]] [--labels N] [--seed S] [--text FILE] [--char-epochs N]");
            switch (name)
            {
                case "--data" or "--test" or "--text" when !File.Exists(value):
                    return Fail($"No file at '{value}' ({name}).");
                case "--data":
                    arguments = arguments with { DataPath = value };
                    break;
                case "--test":
                    arguments = arguments with { TestPath = value };
                    break;
                case "--text":
                    arguments = arguments with { TextPath = value };
                    break;
                case "--labels" when int.TryParse(value, out int labels) && labels >= 10:
                    arguments = arguments with { Labels = labels };
                    break;
                case "--seed" when int.TryParse(value, out int seed):
                    arguments = arguments with { Seed = seed };
                    break;
                case "--char-epochs" when int.TryParse(value, out int epochs) && epochs > 0:
                    arguments = arguments with { CharacterEpochs = epochs };
                    break;
                case "--labels" or "--seed" or "--char-epochs":
                    return Fail($"{name} takes a whole number ({(name == "--labels" ? "10 or more" : name == "--seed" ? "any" : "1 or more")}); got '{value}'.");
                default:
                    return Fail($"Unknown argument '{name}'.");
            }
        }
        if (arguments.TestPath is not null && arguments.DataPath is null)
            return Fail("--test needs --data FILE too (the training reviews).");
        return true;
    }

    private static bool Fail(string message)
    {
        Console.Error.WriteLine(message);
        return false;
    }
}
