/** What an employee sign-in attempt came to, on either platform. */
export interface DemoEmployee {
  readonly id: string;
  readonly name: string;
  readonly title: string | null;
  readonly roles: readonly string[];
  readonly tenantName: string;
}

export type EmployeeSignIn =
  /** A session is stored: go on. */
  | { readonly kind: 'signed_in' }
  /** The server is in demo mode: offer the 演示登录 picker. */
  | { readonly kind: 'demo'; readonly employees: readonly DemoEmployee[] }
  /** Production H5: the page offers the WeCom/DingTalk web login at this address. */
  | { readonly kind: 'web'; readonly url: string | null; readonly message: string }
  | { readonly kind: 'unavailable'; readonly message: string };
