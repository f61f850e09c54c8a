namespace EnvTools.Solve.Sat;

/// <summary>Binary max-heap of variables keyed by an external activity array (the VSIDS order).</summary>
internal sealed class VarHeap
{
    private int[] _heap = new int[16];
    private int[] _index = Enumerable.Repeat(-1, 16).ToArray(); // position of a variable in _heap, -1 when absent
    private int _count;
    private double[] _activity;

    public VarHeap(double[] activity) => _activity = activity;

    public int Count => _count;

    /// <summary>Points the heap at a (re-allocated) activity array; ordering is unchanged.</summary>
    public void SetActivity(double[] activity) => _activity = activity;

    public void Grow(int variables)
    {
        if (_index.Length < variables)
        {
            int old = _index.Length;
            int size = Math.Max(variables, old * 2);
            Array.Resize(ref _index, size);
            _index.AsSpan(old).Fill(-1);
            Array.Resize(ref _heap, size);
        }
    }

    public bool Contains(int v) => _index[v] >= 0;

    public void Insert(int v)
    {
        if (_index[v] >= 0)
        {
            return;
        }

        _heap[_count] = v;
        _index[v] = _count;
        Up(_count++);
    }

    /// <summary>Restores the order after <paramref name="v"/>'s activity grew.</summary>
    public void Increased(int v)
    {
        int i = _index[v];
        if (i >= 0)
        {
            Up(i);
        }
    }

    public int RemoveMax()
    {
        int top = _heap[0];
        int last = _heap[--_count];
        _index[top] = -1;
        if (_count > 0)
        {
            _heap[0] = last;
            _index[last] = 0;
            Down(0);
        }

        return top;
    }

    private void Up(int i)
    {
        int[] heap = _heap;
        double[] act = _activity;
        int v = heap[i];
        double a = act[v];
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            int pv = heap[parent];
            if (act[pv] >= a)
            {
                break;
            }

            heap[i] = pv;
            _index[pv] = i;
            i = parent;
        }

        heap[i] = v;
        _index[v] = i;
    }

    private void Down(int i)
    {
        int[] heap = _heap;
        double[] act = _activity;
        int v = heap[i];
        double a = act[v];
        int n = _count;
        while (true)
        {
            int child = (2 * i) + 1;
            if (child >= n)
            {
                break;
            }

            if (child + 1 < n && act[heap[child + 1]] > act[heap[child]])
            {
                child++;
            }

            int cv = heap[child];
            if (act[cv] <= a)
            {
                break;
            }

            heap[i] = cv;
            _index[cv] = i;
            i = child;
        }

        heap[i] = v;
        _index[v] = i;
    }
}
