namespace Cascade.Bench.Drift.Generators;

/// <summary>One Agrawal applicant, before the class is decided.</summary>
public readonly record struct AgrawalApplicant(double Salary, double Commission, int Age, int Elevel, int Car, int Zipcode, double Hvalue, int Hyears, double Loan);

/// <summary>
/// The ten loan functions of Agrawal, Imielinski &amp; Swami, "Database Mining: A Performance Perspective" (IEEE TKDE
/// 5(6), 1993, p. 924): functions pred20–pred29 of their C generator, as MOA's AgrawalGenerator has them. Class 0 is
/// "group A".
/// </summary>
public static class AgrawalFunctions
{
    public const int Count = 10;

    /// <summary>The class of <paramref name="a"/> under function <paramref name="function"/> (1 to 10).</summary>
    public static int Classify(int function, in AgrawalApplicant a) => function switch
    {
        1 => a.Age < 40 || a.Age >= 60 ? 0 : 1,
        2 => ByAge(a.Age, Within(a.Salary, 50_000, 100_000), Within(a.Salary, 75_000, 125_000), Within(a.Salary, 25_000, 75_000)),
        3 => ByAge(a.Age, a.Elevel is 0 or 1, a.Elevel is 1 or 2 or 3, a.Elevel is 2 or 3 or 4),
        4 => Function4(a),
        5 => Function5(a),
        6 => ByAge(a.Age, Within(a.Salary + a.Commission, 50_000, 100_000), Within(a.Salary + a.Commission, 75_000, 125_000), Within(a.Salary + a.Commission, 25_000, 75_000)),
        7 => 2.0 * (a.Salary + a.Commission) / 3.0 - a.Loan / 5.0 - 20_000.0 > 0 ? 0 : 1,
        8 => 2.0 * (a.Salary + a.Commission) / 3.0 - 5_000.0 * a.Elevel - 20_000.0 > 0 ? 0 : 1,
        9 => 2.0 * (a.Salary + a.Commission) / 3.0 - 5_000.0 * a.Elevel - a.Loan / 5.0 - 10_000.0 > 0 ? 0 : 1,
        10 => Function10(a),
        _ => throw new ArgumentOutOfRangeException(nameof(function), function, "Agrawal functions are numbered 1 to 10."),
    };

    private static int Function4(in AgrawalApplicant a)
    {
        bool groupA;
        if (a.Age < 40) groupA = a.Elevel is 0 or 1 ? Within(a.Salary, 25_000, 75_000) : Within(a.Salary, 50_000, 100_000);
        else if (a.Age < 60) groupA = a.Elevel is 1 or 2 or 3 ? Within(a.Salary, 50_000, 100_000) : Within(a.Salary, 75_000, 125_000);
        else groupA = a.Elevel is 2 or 3 or 4 ? Within(a.Salary, 50_000, 100_000) : Within(a.Salary, 25_000, 75_000);
        return groupA ? 0 : 1;
    }

    private static int Function5(in AgrawalApplicant a)
    {
        bool groupA;
        if (a.Age < 40) groupA = Within(a.Salary, 50_000, 100_000) ? Within(a.Loan, 100_000, 300_000) : Within(a.Loan, 200_000, 400_000);
        else if (a.Age < 60) groupA = Within(a.Salary, 75_000, 125_000) ? Within(a.Loan, 200_000, 400_000) : Within(a.Loan, 300_000, 500_000);
        else groupA = Within(a.Salary, 25_000, 75_000) ? Within(a.Loan, 300_000, 500_000) : Within(a.Loan, 100_000, 300_000);
        return groupA ? 0 : 1;
    }

    private static int Function10(in AgrawalApplicant a)
    {
        var equity = a.Hyears >= 20 ? a.Hvalue * (a.Hyears - 20.0) / 10.0 : 0.0;
        return 2.0 * (a.Salary + a.Commission) / 3.0 - 5_000.0 * a.Elevel + equity / 5.0 - 10_000.0 > 0 ? 0 : 1;
    }

    private static int ByAge(int age, bool young, bool middle, bool old) => (age < 40 ? young : age < 60 ? middle : old) ? 0 : 1;

    private static bool Within(double value, double low, double high) => low <= value && value <= high;
}
