import { useMutation, useQueryClient } from "@tanstack/react-query";
import { createFileRoute, Link, redirect, useNavigate } from "@tanstack/react-router";
import { loginInput } from "worker/schemas/auth";
import { FormAlert, SubmitButton, TextField } from "../components/Field";
import { isSignedIn, safeRedirect } from "../lib/auth";
import { useForm } from "../lib/form";
import { trpc } from "../trpc";
import { AuthLayout } from "./-components/AuthLayout";

export const Route = createFileRoute("/login")({
  // Always return the key: an omitted key would let the raw, unvalidated value through from the URL.
  validateSearch: (search: Record<string, unknown>): { redirect?: string } => ({
    redirect: safeRedirect(search.redirect),
  }),
  beforeLoad: async ({ context, search }) => {
    if (await isSignedIn(context)) throw redirect({ href: search.redirect ?? "/" });
  },
  component: LoginPage,
});

function LoginPage() {
  const search = Route.useSearch();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const login = useMutation(trpc.auth.login.mutationOptions());
  const form = useForm({
    initialValues: { email: "", password: "" },
    schema: loginInput,
    onSubmit: async (data) => {
      await login.mutateAsync(data);
      // Nothing cached from before sign-in (such as the failed auth.me) may leak into the session.
      queryClient.clear();
      await navigate({ href: search.redirect ?? "/" });
      return undefined;
    },
  });

  return (
    <AuthLayout
      title="Sign in"
      subtitle="Welcome back. Sign in to review listings and posts."
      footer={
        <>
          New here? <Link to="/register">Create an account</Link>
        </>
      }
    >
      <form className="form" noValidate onSubmit={form.handleSubmit}>
        <FormAlert message={form.formError} />
        <TextField label="Email" type="email" autoComplete="email" field={form.field("email")} />
        <TextField
          label="Password"
          type="password"
          autoComplete="current-password"
          field={form.field("password")}
        />
        <SubmitButton pending={form.pending} pendingLabel="Signing in…">
          Sign in
        </SubmitButton>
      </form>
    </AuthLayout>
  );
}
