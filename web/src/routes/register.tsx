import { useMutation, useQueryClient } from "@tanstack/react-query";
import { createFileRoute, Link, redirect, useNavigate } from "@tanstack/react-router";
import { PASSWORD_MIN, registerInput } from "worker/schemas/auth";
import { FormAlert, SubmitButton, TextField } from "../components/Field";
import { isSignedIn } from "../lib/auth";
import { useForm } from "../lib/form";
import { trpc } from "../trpc";
import { AuthLayout } from "./-components/AuthLayout";

export const Route = createFileRoute("/register")({
  beforeLoad: async ({ context }) => {
    if (await isSignedIn(context)) throw redirect({ to: "/" });
  },
  component: RegisterPage,
});

function RegisterPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const register = useMutation(trpc.auth.register.mutationOptions());
  const form = useForm({
    initialValues: { name: "", email: "", password: "", brokerageName: "" },
    schema: registerInput,
    onSubmit: async (data) => {
      await register.mutateAsync(data);
      queryClient.clear();
      await navigate({ to: "/" });
      return undefined;
    },
  });

  return (
    <AuthLayout
      title="Create your account"
      subtitle="Market your new-construction listings in minutes."
      footer={
        <>
          Already have an account? <Link to="/login">Sign in</Link>
        </>
      }
    >
      <form className="form" noValidate onSubmit={form.handleSubmit}>
        <FormAlert message={form.formError} />
        <TextField label="Full name" autoComplete="name" field={form.field("name")} />
        <TextField label="Email" type="email" autoComplete="email" field={form.field("email")} />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          hint={`At least ${PASSWORD_MIN} characters.`}
          field={form.field("password")}
        />
        <TextField
          label="Brokerage name"
          optional
          autoComplete="organization"
          hint="Florida advertising rules require it in every ad. You can add it later."
          field={form.field("brokerageName")}
        />
        <SubmitButton pending={form.pending} pendingLabel="Creating account…">
          Create account
        </SubmitButton>
      </form>
    </AuthLayout>
  );
}
