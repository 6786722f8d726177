import { randomBytes } from 'node:crypto';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Signs a fresh user up over HTTP; returns the bearer token and the user id. */
export async function signUpOverHttp(baseUrl: string): Promise<{ token: string; userId: string }> {
  const response = await fetch(`${baseUrl}/trpc/auth.signUp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      json: {
        email: `bench-${randomBytes(4).toString('hex')}@example.test`,
        password: 'bench-password',
        name: 'Bench',
      },
    }),
  });
  if (!response.ok) throw new Error(`auth.signUp answered ${response.status}`);
  const { token, user } = (await response.json()).result.data.json as {
    token: string;
    user: { id: string };
  };
  return { token, userId: user.id };
}
