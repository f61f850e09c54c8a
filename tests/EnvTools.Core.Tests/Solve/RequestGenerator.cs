using EnvTools.Conda;
using EnvTools.Solve;

namespace EnvTools.Tests.Solve;

// Shared with the benchmark harness (bench/EnvTools.Bench links this file): the differential test against the real
// conda and `build.ps1 Bench -Suite Solve`'s random requests draw from the same generator.
/// <summary>Seeded realistic requests: 1–4 specs, names drawn with weight toward packages many others depend on,
/// version constraints from the channel's real versions, and now and then two specs of one name that conflict.</summary>
internal static class RequestGenerator
{
    public static List<string[]> Generate(SolverChannel channel, int count, int seed)
    {
        var versions = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var dependents = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var source in channel.Subdirs)
        {
            foreach (string name in source.Names)
            {
                foreach (var r in source.GetRecords(name))
                {
                    if (!versions.TryGetValue(r.Name, out var list))
                    {
                        versions[r.Name] = list = new List<string>();
                    }

                    if (!list.Contains(r.Version))
                    {
                        list.Add(r.Version);
                    }

                    foreach (string d in r.Depends)
                    {
                        string dn = d.Split(' ', 2)[0];
                        dependents[dn] = dependents.GetValueOrDefault(dn) + 1;
                    }
                }
            }
        }

        var names = versions.Keys.Where(n => !n.StartsWith("__", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
        double[] weights = names.Select(n => 1.0 + Math.Sqrt(dependents.GetValueOrDefault(n))).ToArray();
        double total = weights.Sum();
        var rng = new Random(seed);
        string Pick()
        {
            double x = rng.NextDouble() * total;
            for (int i = 0; i < names.Length; i++)
            {
                if ((x -= weights[i]) <= 0)
                {
                    return names[i];
                }
            }

            return names[^1];
        }

        string Constrain(string name)
        {
            var vs = versions[name];
            string v = vs[rng.Next(vs.Count)];
            string majorMinor = string.Join('.', v.Split('.').Take(2));
            return rng.Next(6) switch
            {
                0 or 1 => name,
                2 => $"{name}={majorMinor}",
                3 => $"{name}>={v}",
                4 => $"{name}<{v}",
                _ => $"{name}=={v}",
            };
        }

        var result = new List<string[]>(count);
        while (result.Count < count)
        {
            int k = 1 + rng.Next(4);
            var chosen = new List<string>();
            var used = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < k; i++)
            {
                string name = Pick();
                if (used.Add(name))
                {
                    chosen.Add(Constrain(name));
                }
            }

            if (rng.Next(8) == 0 && versions[MatchSpec.Parse(chosen[0]).Name].Count > 1)
            {
                chosen.Add(Constrain(MatchSpec.Parse(chosen[0]).Name)); // maybe a conflict with the first
            }

            result.Add(chosen.ToArray());
        }

        return result;
    }
}
