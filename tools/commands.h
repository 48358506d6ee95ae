/* One function per subcommand, each in tools/cmd_NAME.c. Each parses its own flags,
 * prints --help, and returns the process exit status (0 ok, 1 error, 2 usage). */
#ifndef NURI_COMMANDS_H
#define NURI_COMMANDS_H

int cmd_inspect(int argc, char **argv);
int cmd_logits(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_tokenize(int argc, char **argv);
int cmd_template(int argc, char **argv);
int cmd_chat(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_serve(int argc, char **argv);

int cmd_train(int argc, char **argv);
int cmd_data(int argc, char **argv);
int cmd_tokenizer(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_pii(int argc, char **argv);

#endif
