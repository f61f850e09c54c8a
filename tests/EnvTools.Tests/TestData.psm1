# The conformance data (real conda/mamba/rattler test data, ../shared/data or $env:ENVTOOLS_CONFORMANCE_DATA), for every
# Pester file that reads it: one place that finds it, and one rule for its absence. Outside CI a test that needs a
# missing file is skipped with a message naming it; under CI=true the absence is an error (the test fails).

# The data folder: $env:ENVTOOLS_CONFORMANCE_DATA, else shared/data next to the checkout.
function Get-ConformanceDataRoot {
    if ($env:ENVTOOLS_CONFORMANCE_DATA) { return $env:ENVTOOLS_CONFORMANCE_DATA }
    Join-Path $PSScriptRoot '../../../shared/data'
}

# The full path of $Path (relative to the data folder), whether or not it is there.
function Get-ConformanceDataPath([Parameter(Mandatory)] [string] $Path) {
    Join-Path (Get-ConformanceDataRoot) $Path
}

# $true when $Path is there; $false outside CI when it is not; under CI=true a missing $Path throws (in a test it fails
# the test, in discovery or a BeforeAll the whole file). Use it where tests are skipped before they run (-Skip:).
function Test-ConformanceData([Parameter(Mandatory)] [string] $Path) {
    $full = Get-ConformanceDataPath $Path
    if (Test-Path -LiteralPath $full) { return $true }
    if ($env:CI -eq 'true') { throw (Get-ConformanceDataMessage $Path) + '; under CI=true it is required' }
    $false
}

# Why a test that needs $Path is skipped (or, under CI, fails).
function Get-ConformanceDataMessage([Parameter(Mandatory)] [string] $Path) {
    "conformance data not found: $(Get-ConformanceDataPath $Path) (set ENVTOOLS_CONFORMANCE_DATA or place shared/data next to the checkout)"
}

Export-ModuleMember -Function Get-ConformanceDataRoot, Get-ConformanceDataPath, Test-ConformanceData, Get-ConformanceDataMessage
