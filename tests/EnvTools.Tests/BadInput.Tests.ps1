# Bad input ends in an error record with a stable ErrorId, never a dead session (issue 16, items 11 and 13).
BeforeAll {
    $modulePath = $env:ENVTOOLS_MODULE
    if (-not $modulePath) { $modulePath = Join-Path $PSScriptRoot '../../out/EnvTools/EnvTools.psd1' }
    $script:modulePath = (Resolve-Path $modulePath).Path
    Import-Module $modulePath -Force
    Import-Module (Join-Path $PSScriptRoot 'TestIsolation.psm1') -Force

    $script:saved = @{}
    foreach ($name in 'CONDARC', 'CONDA_RESTRICT_RC_SEARCH_PATH', 'CONDA_ENVS_DIRS', 'CONDA_PKGS_DIRS', 'CONDA_OFFLINE') {
        $script:saved[$name] = [Environment]::GetEnvironmentVariable($name)
        Set-TestVariable $name $null
    }
    $env:CONDA_RESTRICT_RC_SEARCH_PATH = '1'
}

AfterAll {
    foreach ($name in $script:saved.Keys) { Set-TestVariable $name $script:saved[$name] }
}

Describe 'Deeply nested YAML' {
    It 'is an InvalidConfiguration / InvalidEnvironmentFile error, and the session lives on' {
        $rc = Join-Path $TestDrive 'deep.condarc'
        Set-Content -Path $rc -Value ('channels: ' + ('[' * 20000)) -NoNewline
        $envFile = Join-Path $TestDrive 'deep.yml'
        Set-Content -Path $envFile -Value ('dependencies: ' + ('[' * 50000)) -NoNewline
        # In a child session: a stack overflow would kill the process that runs it.
        $script = @"
`$ErrorActionPreference = 'Continue'
Import-Module '$modulePath'
`$env:CONDA_RESTRICT_RC_SEARCH_PATH = '1'
`$env:CONDA_ENVS_DIRS = '$(Join-Path $TestDrive 'envs')'
`$env:CONDA_PKGS_DIRS = '$(Join-Path $TestDrive 'pkgs')'
`$env:CONDARC = '$rc'
Get-EnvConfig -ErrorVariable e1 -ErrorAction SilentlyContinue | Out-Null
"config=`$(`$e1[0].FullyQualifiedErrorId)"
`$env:CONDARC = `$null
New-Env -Name deep -File '$envFile' -DryRun -ErrorVariable e2 -ErrorAction SilentlyContinue | Out-Null
"envfile=`$(`$e2[0].FullyQualifiedErrorId)"
'alive'
"@
        # a child PowerShell like this one: `dotnet pwsh` (the repository's tool) or the pwsh.exe running the suite
        $pwshArgs = @(if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { "$PSHOME/pwsh.dll" })
        $out = & ([Environment]::ProcessPath) @pwshArgs -NoProfile -NonInteractive -Command $script 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 0 -Because $out
        $out | Should -Match 'config=InvalidConfiguration,'
        $out | Should -Match 'envfile=InvalidEnvironmentFile,'
        $out | Should -Match 'alive'
    }
}

Describe 'Malformed channels' {
    It 'Find-EnvPackage -Channel <Channel> is an InvalidSpec error' -ForEach @(
        @{ Channel = '/' }
        @{ Channel = "https://ho$([char]0xFFFD)st/conda-forge" }
        @{ Channel = "/tmp/a$([char]0)b" }
    ) {
        $env:CONDA_PKGS_DIRS = Join-Path $TestDrive 'pkgs'
        Find-EnvPackage x -Channel $Channel -OverrideChannels -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err.Count | Should -BeGreaterThan 0
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidSpec,*'
    }
}
