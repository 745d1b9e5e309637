// Workspace trust for what a repository names: kube-routes.yaml's `speaker.api` and
// `regions.*.contexts` are chosen by whoever wrote the repository, so contacting them (sending the
// workspace's addresses, running kubeconfig credential plugins) needs the user's say. Untrusted
// (VS Code's Restricted Mode): never, said once. Trusted: the repositorySources setting, else a
// question, whose yes is remembered for the workspace (by the client, across sessions).

export type RepositorySources = 'ask' | 'allow' | 'deny';

export interface TrustClient {
  showMessage(kind: 'info' | 'warning', message: string): void;
  /** A question with choices; undefined when dismissed or the client cannot ask. */
  ask(message: string, actions: readonly string[]): Promise<string | undefined>;
  /** The user allowed this target for the workspace: the client may remember it. */
  remembered(key: string): void;
}

export const allowChoice = 'Allow for this workspace';

export class RepositoryTrust {
  private trusted = true;
  private mode: RepositorySources = 'ask';
  private allowed = new Set<string>();
  private readonly asking = new Set<string>();
  private toldRestricted = false;

  constructor(
    private readonly client: TrustClient,
    /** A target was allowed: sources must be opened again. */
    private readonly changed: () => void,
  ) {}

  configure(trusted: boolean, mode: RepositorySources, allowed: readonly string[]): void {
    this.trusted = trusted;
    this.mode = mode;
    for (const key of allowed) this.allowed.add(key);
  }

  /** May the target the repository names be contacted now? `key` identifies it, `what` names it for people. */
  permits(key: string, what: string): boolean {
    if (!this.trusted) {
      if (!this.toldRestricted) {
        this.toldRestricted = true;
        this.client.showMessage(
          'info',
          `kube-routes: this workspace is not trusted, so ${what} named by its kube-routes.yaml is not contacted (nor any other address or kube context the repository names); every finding that needs no live state is still given. Trust the workspace to use them.`,
        );
      }
      return false;
    }
    if (this.mode === 'allow' || this.allowed.has(key)) return true;
    if (this.mode === 'deny' || this.asking.has(key)) return false;
    this.asking.add(key);
    void this.client
      .ask(
        `kube-routes: kube-routes.yaml in this workspace names ${what}. Contact it? It is sent the workspace's Service addresses${key.startsWith('contexts') ? ', and your kubeconfig runs the credential plugins of those contexts' : ''}. (Setting: kubeRoutes.repositorySources.)`,
        [allowChoice, 'Not now'],
      )
      .then(
        (answer) => {
          if (answer !== allowChoice) return;
          this.allowed.add(key);
          this.client.remembered(key);
          this.changed();
        },
        () => undefined,
      );
    return false;
  }
}
