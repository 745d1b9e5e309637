import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyConfig, isExcluded, pathFromConfig, type KubeRoutesConfig } from '@kube-routes/server/engine';

// Globs of kube-routes.yaml are relative to its folder, whatever form the face gives paths in:
// relative to the working directory (check), or absolute with the config's root set (the editor).

const config = (file: string | undefined, root?: string, exclude: string[] = []): KubeRoutesConfig => ({
  ...emptyConfig,
  file,
  exclude,
  ...(root === undefined ? {} : { root }),
});

const cases: [string, KubeRoutesConfig, string, string | undefined][] = [
  ['config beside the files', config('kube-routes.yaml'), 'clusters/nyc3/web.yaml', 'clusters/nyc3/web.yaml'],
  ['config in a folder', config('gitops/kube-routes.yaml'), 'gitops/clusters/a.yaml', 'clusters/a.yaml'],
  ['a file outside the config folder', config('gitops/kube-routes.yaml'), 'other/a.yaml', undefined],
  ['dot segments', config('./gitops/kube-routes.yaml'), 'gitops/x/../clusters/a.yaml', 'clusters/a.yaml'],
  [
    'absolute files, absolute root (editor)',
    config('kube-routes.yaml', '/ws'),
    '/ws/clusters/a.yaml',
    'clusters/a.yaml',
  ],
  ['absolute file, relative config: no match', config('kube-routes.yaml'), '/ws/clusters/a.yaml', undefined],
];

for (const [name, c, file, expected] of cases) {
  test(`pathFromConfig: ${name}`, () => assert.equal(pathFromConfig(c, file), expected));
}

test('isExcluded: globs and folders, relative to the config', () => {
  const c = config('repo/kube-routes.yaml', undefined, ['charts', '**/testdata/**']);
  assert.deepEqual(
    ['repo/charts/shop/templates/svc.yaml', 'repo/apps/testdata/x.yaml', 'repo/apps/web.yaml', 'charts/a.yaml'].map(
      (f) => isExcluded(c, f),
    ),
    [true, true, false, false],
  );
});
